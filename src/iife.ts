/**
 * The script-tag bundle: `window.ResNetWeb` (the same API as the ES module) and auto-tagging.
 *
 * ```html
 * <script src="/dist/resnet-web.iife.js" data-model="resnet50" data-model-base-url="/models/"></script>
 * <img src="cat.jpg" data-classify>
 * ```
 * Every `<img data-classify>`, present now or added later, is classified once loaded (again if
 * its `src` changes): the top label goes to `data-label`, the top-k to `data-predictions`
 * (JSON), an empty `alt` gets the top label, and a bubbling `classified` event carries the
 * predictions; a failure fires `classifyerror` with `{ code, message }`. Nothing is downloaded
 * until the first such image appears or `ResNetWeb.classify` is called.
 *
 * Script attributes: `data-model`, `data-model-base-url`, `data-backend`, `data-precision`, `data-top-k`,
 * and `data-groups` (comma-separated WordNet groups, e.g. `"dog, cat, bird, vehicle, food"`: the
 * images get coarse categories instead of the 1000 fine classes).
 */
import * as api from './index.ts';
import type { ClassifierOptions } from './api/options.ts';
import { getDefaultClassifier, setDefaultOptions } from './api/create.ts';

const script = document.currentScript as HTMLScriptElement | null;

/** Options from the script tag's data attributes. */
function scriptOptions(): ClassifierOptions {
  const d = script?.dataset ?? {};
  const options: ClassifierOptions = {};
  if (d.model) options.model = d.model;
  if (d.modelBaseUrl) options.modelBaseUrl = d.modelBaseUrl;
  if (d.backend) options.backend = d.backend as ClassifierOptions['backend'];
  if (d.precision) options.precision = d.precision as ClassifierOptions['precision'];
  if (d.topK) options.topK = Number(d.topK);
  return options;
}

// The page's classifier (ResNetWeb.classify and the auto-tagging) uses the script tag's options.
setDefaultOptions(scriptOptions());

/** `data-groups="dog, cat, vehicle"` → the groups of every auto-tagged image. */
const groups = script?.dataset.groups
  ?.split(',')
  .map((g) => g.trim())
  .filter(Boolean);

const classified = new WeakMap<HTMLImageElement, string>();

async function tag(img: HTMLImageElement): Promise<void> {
  const src = img.currentSrc || img.src;
  if (!src || classified.get(img) === src) return;
  classified.set(img, src);
  try {
    const predictions = await api.classify(img, groups?.length ? { groups } : {});
    if ((img.currentSrc || img.src) !== src) return; // replaced meanwhile: its own run follows
    img.dataset.label = predictions[0]?.label ?? '';
    img.dataset.predictions = JSON.stringify(predictions);
    if (!img.alt && predictions[0]) img.alt = predictions[0].label;
    img.dispatchEvent(new CustomEvent('classified', { bubbles: true, detail: predictions }));
  } catch (e) {
    const err = e as { code?: string; message?: string };
    img.dispatchEvent(
      new CustomEvent('classifyerror', { bubbles: true, detail: { code: err.code ?? 'UNKNOWN', message: err.message ?? String(e) } }),
    );
  }
}

function scan(root: ParentNode): void {
  if (root instanceof HTMLImageElement && root.hasAttribute('data-classify')) void tag(root);
  root.querySelectorAll?.<HTMLImageElement>('img[data-classify]').forEach((img) => void tag(img));
}

function start(): void {
  scan(document);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') scan(r.target as ParentNode);
      r.addedNodes.forEach((n) => n instanceof Element && scan(n));
    }
  }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-classify', 'src', 'srcset'] });
}

const ResNetWeb = { ...api, getClassifier: getDefaultClassifier };
declare global {
  interface Window {
    ResNetWeb: typeof ResNetWeb;
  }
}
window.ResNetWeb = ResNetWeb;
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
