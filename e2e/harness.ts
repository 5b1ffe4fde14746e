/** The page the e2e tests drive: the SDK plus the internals they compare against. */
import * as sdk from '../src/index.ts';
import { toPixels } from '../src/image.ts';
import { preprocess } from '../src/preprocess.ts';

const harness = { ...sdk, toPixels, preprocess };
declare global {
  interface Window {
    sdk: typeof harness;
    harnessReady: boolean;
  }
}
window.sdk = harness;
window.harnessReady = true;
