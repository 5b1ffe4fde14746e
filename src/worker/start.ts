/**
 * Starts the classifier worker. Bundlers (Vite, webpack, Next.js) see this exact pattern and
 * emit worker.js, with what it imports, as a chunk of its own; the URL is theirs to decide.
 */
export function startWorker(): Worker {
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'resnet-web' });
}

/**
 * Where the worker script is expected when a bundler left the pattern above alone (esbuild):
 * beside the chunk this code is in. For error messages only, so written in a way bundlers do not
 * parse (they would emit a copy of the file for it, or warn about an expression).
 */
const WORKER_FILE = './worker.js';
const Url = URL;
export function workerScriptUrl(): string | null {
  try {
    return new Url(WORKER_FILE, import.meta.url).href;
  } catch {
    return null;
  }
}
