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
 * - **Each `.wasm` written once**: the worker bundle names onnxruntime-web's `.wasm` files as the
 *   page's bundle does (SvelteKit and Astro name worker assets apart).
 * - **Cross-origin isolation** headers (COOP/COEP) on the dev and preview servers, on every
 *   response (also the pages Astro and SvelteKit render), so that WASM runs multi-threaded there;
 *   production hosting must send them itself.
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

/** The parts of Vite's resolved config that name the build's and the workers' output files. */
interface BuildOutputs {
  build: { assetsDir: string; rollupOptions?: { output?: OutputNames | OutputNames[] } };
  worker?: { rollupOptions?: { output?: OutputNames | OutputNames[] } };
}
type AssetNames = string | ((asset: { names?: string[]; name?: string }) => string);
interface OutputNames {
  assetFileNames?: AssetNames;
}

/**
 * The worker bundle names its `.wasm` files as the page's bundle does. Both reference the same
 * onnxruntime-web `.wasm` files; where a framework names worker assets apart (SvelteKit:
 * `_app/immutable/workers/assets/`), each 14–27 MB file would otherwise be written twice. Under one
 * name (the hash is of the content), it is written once.
 */
function sameWasmNames(config: BuildOutputs): void {
  const first = (o: OutputNames | OutputNames[] | undefined) => (Array.isArray(o) ? o[0] : o);
  const fallback = `${config.build.assetsDir}/[name]-[hash][extname]`;
  const page = first(config.build.rollupOptions?.output)?.assetFileNames ?? fallback;
  const options = config.worker?.rollupOptions;
  if (!options) return;
  options.output ??= {};
  const outputs: OutputNames[] = Array.isArray(options.output) ? options.output : [options.output];
  const pick = (names: AssetNames, asset: { names?: string[]; name?: string }) => (typeof names === 'function' ? names(asset) : names);
  for (const output of outputs) {
    const own = output.assetFileNames ?? fallback;
    output.assetFileNames = (asset: { names?: string[]; name?: string }) => pick(/\.wasm$/.test(asset.names?.[0] ?? asset.name ?? '') ? page : own, asset);
  }
}

/** A Connect middleware that sets `headers` on every response. */
function withHeaders(headers: Record<string, string>) {
  return (_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void): void => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    next();
  };
}

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
    // `server.headers` reach the files Vite serves, not the pages a framework renders through its
    // own middleware (Astro, SvelteKit): every response gets them here, before that middleware runs.
    configureServer: (server) => void server.middlewares.use(withHeaders(headers)),
    configurePreviewServer: (server) => void server.middlewares.use(withHeaders(headers)),
    configResolved: (config) => sameWasmNames(config as unknown as BuildOutputs),
    transform(code, id) {
      if (!ORT_DYNAMIC_CODE_FILES.test(id.split('?')[0])) return null;
      return { code: withoutDynamicCode(code, id), map: null };
    },
  };
}

export default resnetWeb;
