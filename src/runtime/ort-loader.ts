/**
 * Loads one onnxruntime-web build (for bundlers and the dev server: bare imports). The
 * `dist/` build replaces this module with `standalone/ort-loader.ts`, which loads the copies shipped
 * in `dist/ort/`.
 */
import type * as Ort from 'onnxruntime-web/webgpu';

export type OrtModule = typeof Ort;

export function importOrt(backend: 'webgpu' | 'wasm'): Promise<OrtModule> {
  return backend === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm');
}
