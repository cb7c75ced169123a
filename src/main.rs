//! Entry point of the web app: it only mounts [`sse_chat::App`].

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(sse_chat::App);
}
