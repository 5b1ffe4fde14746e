/**
 * The demo's Teach tab: make labels, give each example photos (files or webcam snapshots), learn
 * (`classifier.learn`), see live predictions on the webcam or a photo, export the learned JSON and
 * import it again (`classifier.loadLearned`). Everything stays on the device, offline included.
 */
import type { Classifier, ImageInput, LearnedClassifier, Prediction } from '../src/index.ts';

export interface TeachDeps {
  classifier(): Promise<Classifier>;
  renderBars(list: HTMLOListElement, predictions: Prediction[]): void;
  showError(e: unknown): void;
  clearError(): void;
  download(name: string, type: string, text: string): void;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function initTeach(deps: TeachDeps): { reset(): void } {
  const ui = {
    form: $<HTMLFormElement>('teach-form'),
    name: $<HTMLInputElement>('teach-label'),
    labels: $<HTMLUListElement>('teach-labels'),
    learn: $<HTMLButtonElement>('teach-learn'),
    progress: $<HTMLProgressElement>('teach-progress'),
    status: $<HTMLParagraphElement>('teach-status'),
    camStart: $<HTMLButtonElement>('teach-cam'),
    video: $<HTMLVideoElement>('teach-video'),
    test: $<HTMLInputElement>('teach-test'),
    bars: $<HTMLOListElement>('teach-bars'),
    exportJson: $<HTMLButtonElement>('teach-export'),
    importJson: $<HTMLInputElement>('teach-import'),
  };
  /** Photos not yet learned, per label; `counts`: photos learned per label. */
  const pending = new Map<string, ImageInput[]>();
  let learned: LearnedClassifier | null = null;
  let watching: { stop(): void } | null = null;
  let camera: MediaStream | null = null;

  const counts = (): Readonly<Record<string, number>> => learned?.examples ?? {};
  const allLabels = () => [...new Set([...(learned?.labels ?? []), ...pending.keys()])];

  function render(): void {
    const learnedCounts = counts();
    ui.labels.replaceChildren(
      ...allLabels().map((label) => {
        const li = document.createElement('li');
        const n = learnedCounts[label] ?? 0;
        const waiting = pending.get(label)?.length ?? 0;
        const name = document.createElement('strong');
        name.textContent = label;
        const info = document.createElement('span');
        info.className = 'count';
        info.textContent = ` ${n} learned${waiting ? `, ${waiting} new` : ''} `;
        const files = document.createElement('label');
        files.className = 'button';
        files.textContent = 'Add photos';
        const input = document.createElement('input');
        input.type = 'file';
        input.accept = 'image/*';
        input.multiple = true;
        input.hidden = true;
        input.dataset.label = label;
        input.addEventListener('change', () => add(label, [...(input.files ?? [])]));
        files.append(input);
        const snap = document.createElement('button');
        snap.textContent = 'Add webcam frame';
        snap.disabled = !camera;
        snap.addEventListener('click', async () => add(label, [await createImageBitmap(ui.video)]));
        const remove = document.createElement('button');
        remove.textContent = 'Remove';
        remove.addEventListener('click', () => {
          pending.delete(label);
          try {
            if (learned?.labels.includes(label)) learned.removeLabel(label);
          } catch (e) {
            deps.showError(e);
          }
          render();
        });
        li.append(name, info, files, snap, remove);
        return li;
      }),
    );
    const ready = allLabels().filter((l) => (learnedCounts[l] ?? 0) + (pending.get(l)?.length ?? 0) > 0);
    ui.learn.disabled = ready.length < 2 || [...pending.values()].every((p) => p.length === 0);
    ui.exportJson.disabled = !learned;
    ui.test.disabled = !learned;
  }

  function add(label: string, images: ImageInput[]): void {
    pending.set(label, [...(pending.get(label) ?? []), ...images]);
    render();
  }

  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    const label = ui.name.value.trim();
    if (label && !allLabels().includes(label)) pending.set(label, []);
    ui.name.value = '';
    render();
  });

  ui.learn.addEventListener('click', async () => {
    deps.clearError();
    ui.learn.disabled = true;
    ui.progress.hidden = false;
    const onProgress = ({ done, total }: { done: number; total: number }) => {
      ui.progress.value = total ? done / total : 0;
      ui.status.textContent = `Embedding photos: ${done} / ${total}`;
    };
    const t0 = performance.now();
    try {
      const c = await deps.classifier();
      if (!learned) {
        const examples = Object.fromEntries([...pending].filter(([, p]) => p.length > 0));
        learned = await c.learn(examples, { onProgress });
      } else {
        for (const [label, photos] of pending) if (photos.length) await learned.addExamples(label, photos, { onProgress });
      }
      pending.clear();
      ui.status.textContent = `Learned ${learned.labels.length} labels from ${Object.values(learned.examples).reduce((a, b) => a + b, 0)} photos in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
      startWatch();
    } catch (e) {
      ui.status.textContent = '';
      deps.showError(e);
    } finally {
      ui.progress.hidden = true;
      render();
    }
  });

  function startWatch(): void {
    watching?.stop();
    if (!learned || !camera) return;
    const w = learned.watch(ui.video, ({ predictions }) => deps.renderBars(ui.bars, predictions), { topK: 3 });
    watching = w;
    w.done.catch(deps.showError);
  }

  ui.camStart.addEventListener('click', async () => {
    deps.clearError();
    try {
      camera = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    } catch (e) {
      deps.showError(`The camera could not be opened: ${String(e)}`);
      return;
    }
    ui.video.srcObject = camera;
    await ui.video.play();
    render();
    startWatch();
  });

  ui.test.addEventListener('change', async () => {
    const file = ui.test.files?.[0];
    if (!file || !learned) return;
    deps.clearError();
    try {
      deps.renderBars(ui.bars, await learned.classify(file, { topK: 3 }));
    } catch (e) {
      deps.showError(e);
    }
  });

  ui.exportJson.addEventListener('click', () => learned && deps.download('learned.json', 'application/json', JSON.stringify(learned)));
  ui.importJson.addEventListener('change', async () => {
    const file = ui.importJson.files?.[0];
    if (!file) return;
    deps.clearError();
    try {
      learned = await (await deps.classifier()).loadLearned(await file.text());
      pending.clear();
      ui.status.textContent = `Imported ${learned.labels.length} labels (${learned.labels.join(', ')})`;
      startWatch();
    } catch (e) {
      deps.showError(e);
    }
    render();
  });

  render();
  return {
    /** The model changed: what was learned belongs to the old one. */
    reset() {
      watching?.stop();
      learned = null;
      ui.status.textContent = '';
      ui.bars.replaceChildren();
      render();
    },
  };
}
