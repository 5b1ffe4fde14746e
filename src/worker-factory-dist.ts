/** dist/ builds: the worker is `resnet-web.worker.js` beside the bundle. */
import { bundleUrl } from './ort-loader-dist.ts';

export function startWorker(): Worker {
  return new Worker(new URL('resnet-web.worker.js', bundleUrl), { type: 'module', name: 'resnet-web' });
}
