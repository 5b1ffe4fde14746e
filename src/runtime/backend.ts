/** Backend names (a module of its own, so that the public types do not reach WebGPU's types). */

/** A backend the SDK can run on. */
export type Backend = 'webgpu' | 'wasm';
/** A backend request: `'auto'` takes WebGPU when an adapter exists, else WASM. */
export type BackendRequest = 'auto' | Backend;
