/** Starts the classifier worker (bundlers see this pattern and build worker.ts as its own chunk). */
export function startWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'resnet-web' });
}
