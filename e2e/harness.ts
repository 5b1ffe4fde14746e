/** The page the e2e tests drive: the SDK plus the internals they compare against. */
import * as sdk from '../src/index.ts';
import { toGpuSource, toPixels } from '../src/image.ts';
import { preprocess } from '../src/preprocess.ts';
import { GpuPreprocessor } from '../src/preprocess-gpu.ts';

const harness = { ...sdk, toPixels, preprocess, toGpuSource, GpuPreprocessor };
declare global {
  interface Window {
    sdk: typeof harness;
    harnessReady: boolean;
  }
}
window.sdk = harness;
window.harnessReady = true;
