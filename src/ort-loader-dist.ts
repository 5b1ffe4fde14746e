/**
 * `dist/` builds (ES module and script tag) load onnxruntime-web from `ort/` beside the bundle
 * itself, so that serving the `dist/` folder is all a page needs: no bundler, no CDN.
 * The bundle's own URL is taken while it first runs (a script tag's `document.currentScript`
 * is gone later).
 */
import type { OrtModule } from './ort-loader.ts';

const current = typeof document !== 'undefined' ? document.currentScript : null; // none in a worker
/** A script tag's `src` (the IIFE has no `import.meta`), else the ES module's own URL. */
export const bundleUrl: string = current && 'src' in current && current.src ? current.src : import.meta.url;

export function importOrt(backend: 'webgpu' | 'wasm'): Promise<OrtModule> {
  return import(/* @vite-ignore */ new URL(`ort/ort.${backend}.bundle.min.mjs`, bundleUrl).href) as Promise<OrtModule>;
}
