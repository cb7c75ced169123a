//! What the composer is writing, and which changes to messages a backend
//! takes: plain data shared by the chat service and the components.

use crate::protocol::Quote;

/// What the composer is writing.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Compose {
    /// A new message.
    #[default]
    New,
    /// An answer to the quoted message.
    Reply(Quote),
    /// A new text for our message `id`.
    Edit { id: String, text: String },
}

/// Which changes this backend takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Abilities {
    pub reply: bool,
    pub edit: bool,
    pub delete: bool,
    pub react: bool,
}
