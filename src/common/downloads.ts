/**
 * Which of the page's script and WebAssembly downloads failed, from Resource Timing: for the error
 * messages of a runtime or a worker that could not start (they name the URL to fix).
 */

/** Script and WebAssembly downloads that failed (HTTP ≥ 400) since `since`, as "URL (HTTP 404)". */
export function failedDownloads(since: number): string[] {
  if (typeof performance === 'undefined' || typeof performance.getEntriesByType !== 'function') return [];
  const entries = performance.getEntriesByType('resource') as (PerformanceResourceTiming & { responseStatus?: number })[];
  const failed = entries.filter((e) => e.startTime >= since && (e.responseStatus ?? 0) >= 400 && /\.(m?js|wasm)(?:[?#]|$)/.test(e.name));
  return [...new Set(failed.map((e) => `${e.name} (HTTP ${e.responseStatus})`))];
}
