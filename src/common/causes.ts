/**
 * The causes an error about starting the runtime or the worker should lead with, when they can be
 * told from what the browser reports: a Content-Security-Policy that blocked WebAssembly or a
 * script (its `securitypolicyviolation` events, or the compile error's own text), and Vite's
 * dependency optimizer serving the package from `node_modules/.vite/deps`, where its worker and
 * runtime files are not.
 */

interface Violation {
  at: number;
  directive: string;
  blocked: string;
}

const violations: Violation[] = [];
globalThis.addEventListener?.('securitypolicyviolation', (e: Event) => {
  const v = e as SecurityPolicyViolationEvent;
  violations.push({ at: performance.now(), directive: v.effectiveDirective || v.violatedDirective, blocked: v.blockedURI });
});

/** The fix for WebAssembly blocked by a policy. */
const WASM_FIX = "add 'wasm-unsafe-eval' to its script-src (WebAssembly compiles only with it)";

/**
 * What a Content-Security-Policy blocked since `since` (ms, `performance.now()`), from the
 * violations seen and from `error`'s text, as the sentence an error should begin with; `null`
 * when nothing points at a policy.
 */
export function cspCause(error: unknown, since = 0, seen: readonly Violation[] = violations): string | null {
  const recent = seen.filter((v) => v.at >= since);
  const text = String(error);
  const wasm = recent.some((v) => v.blocked === 'wasm-eval' || v.blocked === 'eval') || /Content Security [Pp]olicy[\s\S]*unsafe-eval|wasm-unsafe-eval/.test(text);
  const scripts = [...new Set(recent.filter((v) => /^(?:https?|blob|data):/.test(v.blocked)).map((v) => `${v.blocked} (${v.directive})`))];
  const parts: string[] = [];
  if (wasm) parts.push(`it blocked WebAssembly: ${WASM_FIX}`);
  if (scripts.length) parts.push(`it blocked ${scripts.join(', ')}: allow the SDK's own origin in script-src and worker-src ('self')`);
  if (!parts.length && /Content Security Policy/i.test(text)) parts.push(`${WASM_FIX}, and allow the SDK's own origin in script-src and worker-src ('self')`);
  return parts.length ? `The page's Content-Security-Policy stopped the classifier: ${parts.join('; ')}.` : null;
}

/** The fix for a package served from Vite's dependency cache. */
export const VITE_DEPS_FIX =
  "Vite's dependency optimizer serves resnet-web from node_modules/.vite/deps, where its worker and runtime files are not: " +
  "add the plugin: import resnetWeb from 'resnet-web/vite', then plugins: [resnetWeb()] in vite.config (Astro: in astro.config's vite).";

/** `VITE_DEPS_FIX` when any of `urls` (failed downloads, the worker's URL) is under Vite's `.vite/deps` (or a `.vite…/deps` cacheDir); else `null`. */
export function viteDepsCause(urls: readonly (string | null | undefined)[]): string | null {
  return urls.some((u) => u && /\/\.vite[\w-]*\/deps\//.test(u)) ? VITE_DEPS_FIX : null;
}

/** `message`, led by the first cause found (`null`s skipped). */
export function leadWith(message: string, ...causes: (string | null)[]): string {
  const cause = causes.find((c) => c);
  return cause ? `${cause} ${message}` : message;
}
