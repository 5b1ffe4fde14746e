/**
 * The standalone bundle's own URL, which everything it loads (onnxruntime-web in `ort/`, its
 * worker, the WordNet table) sits beside. Taken while the bundle first runs: a script tag's
 * `document.currentScript` is gone later.
 */
const current = typeof document !== 'undefined' ? document.currentScript : null; // none in a worker

/** A script tag's `src` (the IIFE has no `import.meta`), else the ES module's own URL. */
export const bundleUrl: string = current && 'src' in current && current.src ? current.src : import.meta.url;
