/**
 * The demo: one image (drop, pick, paste, URL), the webcam live, a gallery of photos tagged
 * with progress and exported as JSON/CSV (gallery.ts), or your own labels taught from a few photos
 * (teach.ts). Model and backend pickers; download progress; the backend and the time of each stage;
 * "Categories": coarse WordNet groups instead of the 1000 classes.
 */
import {
  createClassifier,
  DEFAULT_MODEL,
  isClassifierError,
  modelFileSizes,
  MODELS,
  type Classifier,
  type GroupPrediction,
  type ImageInput,
  type Prediction,
  type ResultControls,
} from '../src/index.ts';
import { initGallery } from './gallery.ts';
import { initTeach } from './teach.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  model: $<HTMLSelectElement>('model'),
  precision: $<HTMLSelectElement>('precision'),
  backend: $<HTMLSelectElement>('backend'),
  categories: $<HTMLInputElement>('categories'),
  categoriesLabel: $<HTMLLabelElement>('categories-label'),
  engine: $<HTMLDivElement>('engine'),
  download: $<HTMLProgressElement>('download'),
  drop: $<HTMLLabelElement>('drop'),
  file: $<HTMLInputElement>('file'),
  urlForm: $<HTMLFormElement>('url-form'),
  url: $<HTMLInputElement>('url'),
  preview: $<HTMLImageElement>('preview'),
  bars: $<HTMLOListElement>('bars'),
  timings: $<HTMLParagraphElement>('timings'),
  camStart: $<HTMLButtonElement>('cam-start'),
  camStop: $<HTMLButtonElement>('cam-stop'),
  video: $<HTMLVideoElement>('video'),
  camBars: $<HTMLOListElement>('cam-bars'),
  fps: $<HTMLSpanElement>('fps'),
  message: $<HTMLParagraphElement>('message'),
  modelNote: $<HTMLParagraphElement>('model-note'),
};

// ---- model, backend, loading -------------------------------------------------------------------
const params = new URLSearchParams(location.search);
for (const m of Object.values(MODELS)) ui.model.add(new Option(`${m.name} — ${m.description}`, m.name));
ui.model.value = params.get('model') ?? DEFAULT_MODEL;
/** The committed ImageNet model (same labels and preprocessing) the demo falls back to. */
const FALLBACK_MODEL = 'mobilenetv2-int8';
/** Whether the demo picked the model itself (no ?model=): then it may fall back, once. */
let mayFallBack = !params.get('model');
ui.backend.value = params.get('backend') ?? 'auto';

/**
 * The precision picker: 'auto' and each file of the model with its size on the server (HEAD
 * requests); a file the server lacks is shown, disabled, with the command that makes it.
 */
let wantedPrecision = params.get('precision') ?? 'auto';
async function fillPrecisions(): Promise<void> {
  const model = ui.model.value;
  const entry = MODELS[model];
  const files = [...(['int8', 'fp16'] as const).filter((p) => entry.precisions?.[p]), entry.precision ?? 'fp32'];
  ui.precision.replaceChildren(new Option('auto (smallest there)', 'auto'), ...files.map((p) => new Option(`${p} …`, p)));
  ui.precision.value = files.includes(wantedPrecision as (typeof files)[number]) ? wantedPrecision : 'auto';
  const there = await modelFileSizes(model);
  if (ui.model.value !== model) return;
  for (const p of files) {
    const option = [...ui.precision.options].find((o) => o.value === p)!;
    const found = there.find((t) => t.precision === p);
    option.text = found ? `${p} — ${found.bytes ? `${(found.bytes / 1e6).toFixed(1)} MB` : 'size unknown'}` : `${p} — not on the server`;
    option.disabled = !found;
    if (!found && p !== (entry.precision ?? 'fp32')) option.title = `npm run models -- --precision ${p}`;
  }
}
void fillPrecisions();

// ---- categories ----------------------------------------------------------------------------------
/**
 * The "Categories" toggle: coarse WordNet groups for ImageNet models. A class counts toward the
 * first group it falls under, so "animal" is the other animals and "artifact" the other objects.
 * They cover 996 of the 1000 classes (not: street sign, traffic light, bubble, toilet tissue).
 */
const DEMO_GROUPS = [
  'dog', 'cat', 'bird', 'fish', 'reptile', 'insect', 'animal', 'person', 'plant', 'fungus',
  'fruit', 'vegetable', 'dish', 'food', 'drink', 'nutrient',
  'vehicle', 'musical instrument', 'clothing', 'furniture', 'structure', 'device', 'container',
  'geological formation', 'artifact',
];
/** How the demo shows a group: WordNet's "food" is solid food; "nutrient" (the other sense) is the rest (sauces, ice cream). */
const GROUP_NAMES: Record<string, string> = { nutrient: 'other food' };
ui.categories.checked = params.get('categories') === '1';
ui.categoriesLabel.title = `Group the 1000 ImageNet classes into: ${DEMO_GROUPS.join(', ')}`;
function syncCategories(): void {
  const imagenet = MODELS[ui.model.value]?.synsets === 'imagenet-1k';
  ui.categories.disabled = !imagenet;
  if (!imagenet) ui.categories.checked = false;
}
syncCategories();
/** The result controls every classify/watch/tagPhotos call of the demo uses. */
const controls = (): ResultControls => (ui.categories.checked ? { groups: DEMO_GROUPS } : {});

let current: { key: string; classifier: Promise<Classifier> } | null = null;

function showError(e: unknown): void {
  let text = String(e);
  if (isClassifierError(e)) {
    const hints: Record<string, string> = {
      INVALID_IMAGE: 'That image cannot be used.',
      MODEL_LOAD_FAILED: 'The model could not be loaded. Run `npm run models`, or pick another model.',
      MODEL_INTEGRITY: 'The model file is corrupted (its checksum does not match).',
      BACKEND_UNAVAILABLE: 'This backend is not available in this browser. Try "auto" or WASM.',
      INFERENCE_FAILED: 'The model failed to run. Try WASM, or a smaller model.',
    };
    text = `${hints[e.code] ?? ''} (${e.code}: ${e.message})`.trim();
  }
  ui.message.textContent = text;
  ui.message.hidden = false;
}
const clearError = () => (ui.message.hidden = true);

/** The backend in use, and why it is WASM when WebGPU was wanted (it can change after a GPU loss). */
function engineText(c: Classifier): string {
  const engine = c.backend === 'webgpu' ? 'WebGPU' : `WASM (${c.threads} thread${c.threads > 1 ? 's' : ''})`;
  return `Backend: ${engine} · model ${ui.model.value} (${c.precision}) · ${cacheText(c)}${c.fallbackReason ? ` · on WASM because ${c.fallbackReason}` : ''}`;
}

/** Where the model came from, and whether the next visit finds it in the cache. */
function cacheText(c: Classifier): string {
  if (c.cacheState === 'hit') return 'read from the model cache';
  if (c.cacheState === 'stored') return 'downloaded and kept for next time';
  if (c.cacheState === 'not-stored') return `downloaded but not kept, so the next visit downloads it again: ${c.cacheReason}`;
  return `not cached (${c.cacheReason})`;
}

function classifier(): Promise<Classifier> {
  const key = `${ui.model.value}/${ui.backend.value}/${ui.precision.value}`;
  if (current?.key !== key) {
    void current?.classifier.then((c) => c.dispose()).catch(() => undefined);
    ui.engine.textContent = `Loading ${ui.model.value}…`;
    ui.download.hidden = false;
    ui.download.value = 0;
    const load = () =>
      createClassifier({
        model: ui.model.value,
        backend: ui.backend.value as 'auto' | 'webgpu' | 'wasm',
        precision: ui.precision.value as 'auto' | 'fp32' | 'fp16' | 'int8',
        worker: params.get('worker') !== '0', // ?worker=0: everything on the page's thread
        onProgress: ({ loaded, total }) => {
          ui.download.value = total ? loaded / total : 0;
          ui.engine.textContent = `Downloading ${ui.model.value}: ${(loaded / 1e6).toFixed(1)}${total ? ` / ${(total / 1e6).toFixed(1)}` : ''} MB`;
        },
      });
    // The default model is not in public/models/ (`npm start` could not download it, e.g. offline):
    // the demo opens on the committed one and says so.
    const promise = load().catch((e: unknown) => {
      const fallBack = mayFallBack && ui.model.value === DEFAULT_MODEL && isClassifierError(e) && e.code === 'MODEL_LOAD_FAILED';
      mayFallBack = false;
      if (!fallBack) throw e;
      ui.model.value = FALLBACK_MODEL;
      ui.precision.value = 'auto';
      void fillPrecisions();
      if (current?.classifier === promise) current.key = `${ui.model.value}/${ui.backend.value}/${ui.precision.value}`;
      ui.modelNote.textContent =
        `Using ${FALLBACK_MODEL} (${MODELS[FALLBACK_MODEL].description}), committed in the repository, because the default ` +
        `${DEFAULT_MODEL} could not be loaded: ${e.message}. Run \`npm run models\` with internet access to download ` +
        `${DEFAULT_MODEL} (${MODELS[DEFAULT_MODEL].description}), then reload.`;
      ui.modelNote.hidden = false;
      return load();
    });
    current = { key, classifier: promise };
    promise.then(
      (c) => {
        ui.download.hidden = true;
        ui.engine.textContent = engineText(c);
      },
      (e: unknown) => {
        ui.download.hidden = true;
        ui.engine.textContent = '';
        if (current?.classifier === promise) current = null;
        showError(e);
      },
    );
  }
  return current!.classifier;
}

// ---- results -------------------------------------------------------------------------------------
function renderBars(list: HTMLOListElement, predictions: Prediction[]): void {
  list.replaceChildren(
    ...predictions.map((p) => {
      const li = document.createElement('li');
      const name = document.createElement('div');
      name.className = 'name';
      const label = document.createElement('span');
      label.className = 'label';
      const top = (p as Partial<GroupPrediction>).top;
      label.textContent = top?.label ? `${GROUP_NAMES[p.label] ?? p.label} — ${top.label}` : p.label;
      const pct = document.createElement('span');
      pct.className = 'pct';
      pct.textContent = `${(p.score * 100).toFixed(1)} %`;
      name.append(label, pct);
      const bar = document.createElement('div');
      bar.className = 'bar';
      const fill = document.createElement('div');
      fill.className = 'fill';
      fill.style.width = `${Math.max(0.5, p.score * 100)}%`;
      bar.append(fill);
      li.append(name, bar);
      return li;
    }),
  );
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

let lastImage: { image: ImageInput; previewUrl: string } | null = null;

async function classifyOne(image: ImageInput, previewUrl: string): Promise<void> {
  lastImage = { image, previewUrl };
  clearError();
  ui.bars.replaceChildren();
  ui.timings.textContent = '';
  ui.preview.src = previewUrl;
  ui.preview.hidden = false;
  try {
    const c = await classifier();
    const predictions = await c.classify(image, controls());
    renderBars(ui.bars, predictions);
    ui.engine.textContent = engineText(c);
    const t = c.lastTimings;
    if (t) {
      ui.timings.textContent = `${c.backend === 'webgpu' ? 'WebGPU' : 'WASM'} · decode ${ms(t.decode)} · preprocess ${ms(t.preprocess)} · inference ${ms(t.inference)} · total ${ms(t.total)}`;
    }
  } catch (e) {
    ui.preview.hidden = true;
    showError(e);
  }
}

function classifyFile(file: Blob): void {
  void classifyOne(file, URL.createObjectURL(file));
}

ui.file.addEventListener('change', () => ui.file.files?.[0] && classifyFile(ui.file.files[0]));
ui.drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  ui.drop.classList.add('over');
});
ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
ui.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  ui.drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file) classifyFile(file);
});
document.addEventListener('paste', (e) => {
  const file = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
  if (file) classifyFile(file);
});
ui.urlForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const url = ui.url.value.trim();
  if (url) void classifyOne(url, url);
});
for (const s of [ui.model, ui.backend]) s.addEventListener('change', () => void classifier());
ui.model.addEventListener('change', () => {
  syncCategories();
  void fillPrecisions();
});
ui.categories.addEventListener('change', () => lastImage && void classifyOne(lastImage.image, lastImage.previewUrl));
ui.precision.addEventListener('change', () => {
  wantedPrecision = ui.precision.value;
  void classifier();
});

// ---- webcam: classifier.watch -----------------------------------------------------------------------
let camera: MediaStream | null = null;
let watching: { stop(): void } | null = null;
async function startWatch(): Promise<void> {
  watching?.stop();
  watching = null;
  const c = await classifier().catch(() => null);
  if (!c || !camera) return;
  const w = c.watch(
    ui.video,
    ({ predictions, fps, dropped }) => {
      renderBars(ui.camBars, predictions);
      ui.fps.textContent = `${fps.toFixed(1)} FPS · ${dropped} dropped`;
    },
    { topK: 3, ...controls() },
  );
  watching = w;
  w.done.catch(showError);
}
ui.camStart.addEventListener('click', async () => {
  clearError();
  try {
    camera = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  } catch (e) {
    showError(`The camera could not be opened: ${String(e)}`);
    return;
  }
  ui.video.srcObject = camera;
  await ui.video.play();
  ui.camStart.disabled = true;
  ui.camStop.disabled = false;
  await startWatch();
});
// A new model, backend, precision or categories setting: watch again with it.
for (const s of [ui.model, ui.backend, ui.precision, ui.categories]) s.addEventListener('change', () => camera && void startWatch());
ui.camStop.addEventListener('click', () => {
  watching?.stop();
  watching = null;
  camera?.getTracks().forEach((t) => t.stop());
  camera = null;
  ui.video.srcObject = null;
  ui.camStart.disabled = false;
  ui.camStop.disabled = true;
  ui.fps.textContent = '';
});

// ---- gallery: tagPhotos, export, similar and duplicates (gallery.ts) ----------------------------
/** Saves `text` as a file: the gallery's and the teach tab's exports. */
function download(name: string, type: string, text: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

initGallery({ classifier, controls, showError, clearError, download });

// ---- teach: your own labels ----------------------------------------------------------------------
const teach = initTeach({ classifier, renderBars, showError, clearError, download });
for (const s of [ui.model, ui.precision]) s.addEventListener('change', () => teach.reset());

// ---- tabs --------------------------------------------------------------------------------------------
const tabs = document.querySelectorAll<HTMLButtonElement>('[role="tab"]');
function showTab(name: string): void {
  tabs.forEach((t) => t.setAttribute('aria-selected', String(t.dataset.tab === name)));
  for (const t of tabs) $(t.dataset.tab!).hidden = t.dataset.tab !== name;
}
tabs.forEach((t) => t.addEventListener('click', () => showTab(t.dataset.tab!)));
showTab(params.get('tab') ?? 'single');
void classifier();
