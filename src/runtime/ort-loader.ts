/**
 * Loads one onnxruntime-web build (for bundlers and the dev server: bare imports). The
 * `dist/` build replaces this module with `standalone/ort-loader.ts`, which loads the copies shipped
 * in `dist/ort/`.
 */
import type * as Ort from 'onnxruntime-web/webgpu';

export type OrtModule = typeof Ort;

export async function importOrt(backend: 'webgpu' | 'wasm'): Promise<OrtModule> {
  const m: OrtModule | Deferred = await (backend === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm'));
  // Parcel gets a module that loads onnxruntime-web when asked (the package's "alias": dist/parcel/).
  return 'load' in m && typeof m.load === 'function' ? m.load() : (m as OrtModule);
}

/** What Parcel's `onnxruntime-web/*` are (see scripts/build.ts): `load()` gives onnxruntime-web. */
interface Deferred {
  load(): Promise<OrtModule>;
}
