import { createClassifier, isClassifierError, MODELS, type Classifier } from '../src/index.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const modelSelect = $<HTMLSelectElement>('model');
const backendSelect = $<HTMLSelectElement>('backend');
const fileInput = $<HTMLInputElement>('file');
const status = $<HTMLParagraphElement>('status');
const preview = $<HTMLImageElement>('preview');
const results = $<HTMLOListElement>('results');

const params = new URLSearchParams(location.search);
for (const m of Object.values(MODELS)) modelSelect.add(new Option(`${m.name} — ${m.description}`, m.name));
modelSelect.value = params.get('model') ?? 'resnet50';
backendSelect.value = params.get('backend') ?? 'auto';

let current: { key: string; classifier: Promise<Classifier> } | null = null;

function say(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle('error', error);
}

function classifier(): Promise<Classifier> {
  const key = `${modelSelect.value}/${backendSelect.value}`;
  if (current?.key !== key) {
    void current?.classifier.then((c) => c.dispose()).catch(() => undefined);
    say(`Loading ${modelSelect.value}…`);
    const promise = createClassifier({
      model: modelSelect.value,
      backend: backendSelect.value as 'auto' | 'webgpu' | 'wasm',
      onProgress: ({ loaded, total }) =>
        say(`Loading ${modelSelect.value}: ${(loaded / 1e6).toFixed(1)}${total ? ` / ${(total / 1e6).toFixed(1)}` : ''} MB`),
    });
    current = { key, classifier: promise };
    promise.catch(() => {
      if (current?.classifier === promise) current = null;
    });
  }
  return current!.classifier;
}

async function run(file: File): Promise<void> {
  results.replaceChildren();
  preview.src = URL.createObjectURL(file);
  preview.hidden = false;
  try {
    const c = await classifier();
    say(`Classifying on ${c.backend}…`);
    const t0 = performance.now();
    const top = await c.classify(file);
    say(`Backend: ${c.backend} · ${(performance.now() - t0).toFixed(0)} ms`);
    for (const p of top) {
      const li = document.createElement('li');
      li.innerHTML = `<span class="label"></span> <span class="score"></span>`;
      li.querySelector('.label')!.textContent = p.label;
      li.querySelector('.score')!.textContent = `${(p.score * 100).toFixed(1)} %`;
      results.append(li);
    }
  } catch (e) {
    say(isClassifierError(e) ? `${e.code}: ${e.message}` : String(e), true);
  }
}

fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) void run(file);
});
for (const s of [modelSelect, backendSelect]) {
  s.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) void run(file);
  });
}
