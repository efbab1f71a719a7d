// The Wasm build's entry (`shopify app function build`): one export per target, named as
// shopify.extension.toml's `export`.
export { run } from "./run.ts";
