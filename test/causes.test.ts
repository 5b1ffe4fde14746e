import { describe, expect, it } from 'vitest';
import { cspCause, leadWith, VITE_DEPS_FIX, viteDepsCause } from '../src/common/causes.ts';

// Chromium's text when a policy without 'wasm-unsafe-eval' stops onnxruntime-web's .wasm (seen in e2e).
const CHROMIUM_WASM_CSP =
  'Error: no available backend found. ERR: [wasm] RuntimeError: Aborted(CompileError: WebAssembly.instantiate(): Compiling or ' +
  "instantiating WebAssembly module violates the following Content Security policy directive because 'unsafe-eval' is not an " +
  'allowed source of script in the following Content Security Policy directive: "script-src \'self\'".)';

describe('cspCause', () => {
  it("tells a policy that blocked WebAssembly from the compile error's text, and says to add 'wasm-unsafe-eval'", () => {
    expect(cspCause(CHROMIUM_WASM_CSP, 0, [])).toBe(
      "The page's Content-Security-Policy stopped the classifier: it blocked WebAssembly: add 'wasm-unsafe-eval' to its script-src (WebAssembly compiles only with it).",
    );
  });

  it('tells it from a violation event too (wasm-eval), and names each blocked script with its directive', () => {
    const seen = [
      { at: 5, directive: 'script-src', blocked: 'wasm-eval' },
      { at: 6, directive: 'worker-src', blocked: 'https://cdn.example/resnet-web.worker.js' },
    ];
    const cause = cspCause(new Error('no available backend'), 0, seen);
    expect(cause).toContain("it blocked WebAssembly: add 'wasm-unsafe-eval'");
    expect(cause).toContain("it blocked https://cdn.example/resnet-web.worker.js (worker-src): allow the SDK's own origin in script-src and worker-src ('self')");
  });

  it('leaves out violations from before `since`, and is null when nothing points at a policy', () => {
    expect(cspCause(new Error('404'), 10, [{ at: 5, directive: 'script-src', blocked: 'wasm-eval' }])).toBeNull();
    expect(cspCause(new TypeError('Failed to fetch dynamically imported module: http://x/ort.mjs'), 0, [])).toBeNull();
  });
});

describe('viteDepsCause and leadWith', () => {
  it("names the plugin when a URL is under Vite's .vite/deps, and leads the message with it", () => {
    const urls = [null, 'http://localhost:5173/node_modules/.vite/deps/worker.js?worker_file&type=module (HTTP 404)'];
    expect(viteDepsCause(urls)).toBe(VITE_DEPS_FIX);
    expect(VITE_DEPS_FIX).toContain("plugins: [resnetWeb()]");
    expect(viteDepsCause(['http://localhost:4321/node_modules/.vite-custom/deps/ort-wasm-simd-threaded.wasm (HTTP 404)'])).toBe(VITE_DEPS_FIX);
    expect(viteDepsCause(['http://localhost:5173/assets/worker.js (HTTP 404)'])).toBeNull();
    expect(leadWith('the worker could not start.', null, 'Cause.')).toBe('Cause. the worker could not start.');
    expect(leadWith('the worker could not start.', null, null)).toBe('the worker could not start.');
  });
});
