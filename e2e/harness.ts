/** The page the e2e tests drive: the SDK plus the internals they compare against. */
import * as sdk from '../src/index.ts';
import { toGpuSource } from '../src/input/decode.ts';
import { bitmapPixels, framePixels } from '../src/input/pixels.ts';
import { preprocess, resizeAndCrop } from '../src/preprocess/cpu.ts';
import { GpuPreprocessor } from '../src/preprocess/gpu.ts';
import { toPixels } from '../src/preprocess/window.ts';
import { checkView, viewPixels } from '../src/preprocess/view.ts';
import { drawFit, photoVideo } from './video.ts';

const harness = {
  ...sdk, toPixels, checkView, viewPixels, bitmapPixels, framePixels, preprocess, resizeAndCrop, toGpuSource, GpuPreprocessor, photoVideo, drawFit,
  /** The WebGPU build of onnxruntime-web the SDK loads (the same module instance): its device. */
  ortWebgpu: () => import('onnxruntime-web/webgpu'),
  /** The WASM build, likewise. */
  ortWasm: () => import('onnxruntime-web/wasm'),
};
declare global {
  interface Window {
    sdk: typeof harness;
    harnessReady: boolean;
  }
}
window.sdk = harness;
window.harnessReady = true;
