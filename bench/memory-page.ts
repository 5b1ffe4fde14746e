/** The page of `npm run bench:memory` (built by Vite as an app would be): the SDK and a photo video. */
import { photoVideo } from '../e2e/video.ts';
import { createClassifier } from '../src/index.ts';

declare global {
  interface Window {
    memoryBench: { createClassifier: typeof createClassifier; photoVideo: typeof photoVideo };
  }
}
window.memoryBench = { createClassifier, photoVideo };
