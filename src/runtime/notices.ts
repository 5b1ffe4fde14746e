/**
 * What the SDK says on the console when it runs slower than it could: WASM on fewer threads than
 * the device has cores, on WASM where WebGPU was asked for, or a model the cache did not keep. Each is said once per page (and
 * once in the classifier's worker), with the fix; the classifier's `threadsReason` and
 * `fallbackReason` say the same for code.
 */

/** How a page gets its WASM threads (the headers, named once for the messages and the docs). */
const ISOLATION_FIX =
  'serve the page with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp ' +
  '(the resnet-web/vite plugin sends them from the dev and preview servers; production hosting must send them itself)';

/**
 * Why WASM runs on `threads` threads where the device has more cores, or `null` when nothing is
 * lost: it uses every core, `numThreads` asked for no more, or there is one core.
 */
export function threadsShortfall(threads: number, requested: number | undefined, env: ThreadsEnv = currentEnv()): string | null {
  const { cores, isolated, sharedArrayBuffer } = env;
  if (threads >= cores || (requested !== undefined && threads >= requested)) return null;
  const of = `WASM runs on ${threads} thread${threads === 1 ? '' : 's'} of ${cores} cores`;
  if (!isolated) return `${of}: the page is not cross-origin isolated, so it has no SharedArrayBuffer. To use every core, ${ISOLATION_FIX}.`;
  if (!sharedArrayBuffer) return `${of}: this browser has no SharedArrayBuffer, though the page is cross-origin isolated.`;
  return null;
}

/** What `threadsShortfall` reads from the page (or the worker): its cores, isolation and SharedArrayBuffer. */
export interface ThreadsEnv {
  cores: number;
  isolated: boolean;
  sharedArrayBuffer: boolean;
}

function currentEnv(): ThreadsEnv {
  return {
    cores: Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1),
    isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
  };
}

const said = new Set<string>();
function warnOnce(kind: string, message: string): void {
  if (said.has(kind)) return;
  said.add(kind);
  console.warn(`[resnet-web] ${message}`);
}

/** Says on the console, once, that WASM runs on fewer threads than it could, and how to fix it. */
export function reportThreads(reason: string): void {
  warnOnce('threads', reason);
}

/** Says on the console, once, that the model was downloaded but not kept in the model cache, and why. */
export function reportNotCached(reason: string): void {
  warnOnce('cache', `the model was not kept in the model cache, so the next visit downloads it again: ${reason}`);
}

/** Says on the console, once, that an `'auto'` classifier runs on WASM, and why. */
export function reportFallback(reason: string): void {
  warnOnce('fallback', `running on WASM: ${reason}`);
}
