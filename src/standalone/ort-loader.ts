/**
 * `dist/` builds (ES module and script tag) load onnxruntime-web from `ort/` beside the bundle
 * itself, so that serving the `dist/` folder is all a page needs: no bundler, no CDN.
 */
import type { OrtModule } from '../runtime/ort-loader.ts';
import { bundleUrl } from './bundle-url.ts';

export function importOrt(backend: 'webgpu' | 'wasm'): Promise<OrtModule> {
  return import(/* @vite-ignore */ new URL(`ort/ort.${backend}.bundle.min.mjs`, bundleUrl).href) as Promise<OrtModule>;
}
