/**
 * `resnet-web/vite`: what a Vite app needs to run the SDK, as one plugin.
 *
 * ```ts
 * // vite.config.ts
 * import resnetWeb from 'resnet-web/vite';
 * export default { plugins: [resnetWeb()] };
 * ```
 *
 * - **No pre-bundling of resnet-web and onnxruntime-web.** Both find files next to their own
 *   modules (`new URL(…, import.meta.url)`: the classifier's worker, onnxruntime-web's `.wasm`
 *   and the module its WASM threads start from); Vite's dependency optimizer moves the modules
 *   into `node_modules/.vite/deps` and those files would 404.
 * - **ES module workers.** The classifier's worker imports onnxruntime-web dynamically. Vite's
 *   default worker format (`'iife'`) inlines it into the worker script, whose WASM threads then
 *   start the classifier's worker instead of onnxruntime-web.
 * - **No `new Function`** in onnxruntime-web's WebGPU build, so that WebGPU runs under a strict
 *   Content-Security-Policy (see tools/ort-csp.ts).
 * - **Cross-origin isolation** headers (COOP/COEP) on the dev and preview servers, so that WASM
 *   runs multi-threaded there; production hosting must send them itself.
 *
 * @module resnet-web/vite
 */
import type { Plugin } from 'vite';
import { ORT_DYNAMIC_CODE_FILES, withoutDynamicCode } from './tools/ort-csp.ts';

/** Options of the {@link resnetWeb} Vite plugin. */
export interface ResNetWebViteOptions {
  /**
   * Send `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy:
   * require-corp` from `vite` and `vite preview`, so that WASM can use every core. Under them,
   * cross-origin images and scripts need CORS or `Cross-Origin-Resource-Policy`.
   * @default true
   */
  crossOriginIsolation?: boolean;
}

/** The headers that make a page cross-origin isolated (WASM threads need them). */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

/** The Vite plugin: `plugins: [resnetWeb()]`. */
export function resnetWeb(options: ResNetWebViteOptions = {}): Plugin {
  const headers = options.crossOriginIsolation === false ? {} : { ...CROSS_ORIGIN_ISOLATION_HEADERS };
  return {
    name: 'resnet-web',
    enforce: 'pre',
    config: () => ({
      optimizeDeps: { exclude: ['resnet-web', 'onnxruntime-web'] },
      worker: { format: 'es' },
      server: { headers },
      preview: { headers },
    }),
    transform(code, id) {
      if (!ORT_DYNAMIC_CODE_FILES.test(id.split('?')[0])) return null;
      return { code: withoutDynamicCode(code, id), map: null };
    },
  };
}

export default resnetWeb;
