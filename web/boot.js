// Starts the app without an inline script, so that the page runs under
// `script-src 'self' 'wasm-unsafe-eval'` on any host. Trunk writes the
// <script> tag that loads this file (`pattern_script` in Trunk.toml) with the
// hashed names of the JS glue and of the wasm in two data attributes, relative
// to the page: dist/ works from any sub-path.
const tag = document.querySelector('script[data-glue][data-wasm]');
if (!tag) {
  throw new Error('boot.js: no <script data-glue data-wasm> in the page; rebuild with trunk');
}
const resolve = (name) => new URL(tag.getAttribute(name), document.baseURI).href;
const { default: init } = await import(resolve('data-glue'));
await init({ module_or_path: resolve('data-wasm') });
