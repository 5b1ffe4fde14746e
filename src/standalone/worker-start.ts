/**
 * dist/ builds: the worker is `resnet-web.worker.js` beside the bundle. A page may load the
 * bundle from another origin (a CDN), and a worker must be same-origin: then a same-origin
 * `blob:` module that imports the worker script (which needs CORS) starts it instead.
 */
import { bundleUrl } from './bundle-url.ts';

export const workerScriptUrl = (): string => new URL('resnet-web.worker.js', bundleUrl).href;

export function startWorker(): Worker {
  const url = workerScriptUrl();
  const options: WorkerOptions = { type: 'module', name: 'resnet-web' };
  if (new URL(url).origin === location.origin) return new Worker(url, options);
  const shim = URL.createObjectURL(new Blob([`import ${JSON.stringify(url)};\n`], { type: 'text/javascript' }));
  try {
    return new Worker(shim, options);
  } finally {
    setTimeout(() => URL.revokeObjectURL(shim), 60_000); // the worker fetches it first
  }
}
