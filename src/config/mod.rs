//! Runtime configuration: which backend the built app talks to and how.
//!
//! Pure Rust, no browser types, so every rule here is unit-tested natively.
//! One built `dist/` works against any backend because the configuration is
//! assembled at start-up from three layers, later overriding earlier:
//!
//! 1. built-in defaults (the reference backend under `/api`), or the
//!    preset the `preset` key names (the URL's if it has one, else the
//!    file's): defaults for a kind of backend, applied before any other key,
//! 2. an optional `config.json` served beside `index.html`,
//! 3. the page's URL query parameters.
//!
//! Keys are camelCase and documented in README.md ("Pointing at a backend").
//! An invalid value yields a [`ConfigError`] naming the key, the layer it
//! came from and what is wrong; nothing here panics.
//!
//! Files (this one only declares them and re-exports their public items, so
//! the rest of the crate keeps using `crate::config::X`):
//!
//! - `model`: the [`Config`] type and its defaults;
//! - `keys`: the one table of settings keys (name and setter). `config.json`
//!   parsing, URL parameters, the unknown-key error, [`KEYS`] and the README
//!   check all read it, so the list of keys exists once;
//! - `presets`: the named groups of settings the `preset` key picks (data
//!   only, applied through the `keys` table);
//! - `load`: layering ([`Config::load`]) and [`ConfigError`];
//! - `values`: checking and converting one raw value (URL templates, names,
//!   lists, numbers, booleans) and the room and nickname rules;
//! - `url`: query strings, percent-coding and URL templates.
//!
//! Dependencies run one way (`load` → `keys` → `presets` → `values` →
//! `model`, `keys` → `values`, and `load` → `url`); no child imports from
//! this file, which keeps the module free of import cycles.

mod keys;
mod load;
mod model;
mod presets;
mod url;
mod values;

pub use keys::KEYS;
pub use load::{ConfigError, Source};
pub use model::{Changes, Config, FieldAliases, PlainText, SendFields, SendFormat};
pub use url::{fill_template, parse_query, percent_decode, percent_encode, with_query_param};
pub use values::{is_room_name, is_user_name};
