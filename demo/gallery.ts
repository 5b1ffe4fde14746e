/**
 * The demo's Gallery tab: a folder or a pick of photos tagged with progress (`tagPhotos`), stopped
 * at will, exported as JSON/CSV; "find similar" and "group duplicates" from the same runs'
 * embeddings (`nearest`, `findDuplicates`).
 */
import {
  findDuplicates,
  isClassifierError,
  nearest,
  tagPhotos,
  tagsToCSV,
  tagsToJSON,
  type Classifier,
  type ResultControls,
  type TagResult,
} from '../src/index.ts';

export interface GalleryDeps {
  classifier(): Promise<Classifier>;
  /** The result controls (the "Categories" switch) of every call. */
  controls(): ResultControls;
  showError(e: unknown): void;
  clearError(): void;
  download(name: string, type: string, text: string): void;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function initGallery({ classifier, controls, showError, clearError, download }: GalleryDeps): void {
  const ui = {
    folder: $<HTMLInputElement>('folder'),
    photos: $<HTMLInputElement>('photos'),
    stop: $<HTMLButtonElement>('stop'),
    exportJson: $<HTMLButtonElement>('export-json'),
    exportCsv: $<HTMLButtonElement>('export-csv'),
    duplicates: $<HTMLButtonElement>('duplicates'),
    galleryProgress: $<HTMLProgressElement>('gallery-progress'),
    galleryStatus: $<HTMLParagraphElement>('gallery-status'),
    grid: $<HTMLUListElement>('grid'),
  };
  let tagged: TagResult[] = [];
  let running: AbortController | null = null;

  async function tagGallery(files: File[]): Promise<void> {
    clearError();
    const images = files.filter((f) => f.type.startsWith('image/') || !f.type);
    if (images.length === 0) {
      ui.galleryStatus.textContent = 'No images there.';
      return;
    }
    running?.abort();
    running = new AbortController();
    ui.grid.replaceChildren();
    ui.galleryProgress.hidden = false;
    ui.galleryProgress.value = 0;
    ui.stop.disabled = false;
    ui.exportJson.disabled = ui.exportCsv.disabled = ui.duplicates.disabled = true;
    const t0 = performance.now();
    try {
      const c = await classifier();
      tagged = await tagPhotos(c, images, {
        topK: 5,
        embed: c.canEmbed, // for "find similar" and "group duplicates": the same runs as the labels
        ...controls(),
        signal: running.signal,
        onProgress: (done, total) => {
          ui.galleryProgress.value = done / total;
          ui.galleryStatus.textContent = `${done} / ${total} photos`;
        },
      });
      const bad = tagged.filter((r) => r.error).length;
      ui.galleryStatus.textContent =
        `${tagged.length} photos tagged in ${((performance.now() - t0) / 1000).toFixed(1)} s` + (bad ? ` · ${bad} could not be read` : '');
      ui.grid.replaceChildren(...tagged.map((r, i) => galleryItem(r, i)));
      ui.exportJson.disabled = ui.exportCsv.disabled = false;
      ui.duplicates.disabled = !c.canEmbed;
    } catch (e) {
      if (isClassifierError(e, 'ABORTED')) ui.galleryStatus.textContent = 'Stopped.';
      else showError(e);
    } finally {
      ui.stop.disabled = true;
      running = null;
    }
  }

  /** The tagged photos that have an embedding, with their index in `tagged`. */
  const embedded = () => tagged.flatMap((r, i) => (r.embedding ? [{ i, e: r.embedding }] : []));

  /** "Find similar": the grid sorted by similarity to photo `i`, each with its similarity. */
  function showSimilar(i: number): void {
    const all = embedded();
    const query = tagged[i].embedding;
    if (!query) return;
    const order = nearest(query, all.map((x) => x.e), all.length);
    ui.grid.replaceChildren(...order.map((n) => galleryItem(tagged[all[n.index].i], all[n.index].i, n.similarity)));
    ui.galleryStatus.textContent = `Most similar to ${tagged[i].name || `photo ${i + 1}`} first.`;
  }

  /** "Group duplicates": the groups of near-duplicates, one after another; the others after them. */
  function showDuplicates(): void {
    const all = embedded();
    const groups = findDuplicates(all.map((x) => x.e));
    const grouped = new Set(groups.flat());
    ui.grid.replaceChildren(
      ...groups.flatMap((g, k) => g.map((j) => galleryItem(tagged[all[j].i], all[j].i, undefined, k + 1))),
      ...all.filter((_, j) => !grouped.has(j)).map((x) => galleryItem(tagged[x.i], x.i)),
    );
    ui.galleryStatus.textContent = groups.length
      ? `${groups.length} group${groups.length > 1 ? 's' : ''} of near-duplicates (${grouped.size} photos), shown first.`
      : 'No near-duplicates.';
  }
  ui.duplicates.addEventListener('click', showDuplicates);

  function galleryItem(r: TagResult, index: number, similarity?: number, group?: number): HTMLLIElement {
    const li = document.createElement('li');
    if (r.embedding) {
      li.classList.add('similar-target');
      li.addEventListener('click', () => showSimilar(index));
    }
    if (group) li.dataset.group = String(group);
    const img = document.createElement('img');
    img.alt = r.predictions[0]?.label ?? r.name;
    if (!r.error) img.src = URL.createObjectURL(r.file);
    const caption = document.createElement('div');
    caption.textContent = r.error ? `${r.name}: not a readable image` : `${r.predictions[0].label} (${(r.predictions[0].score * 100).toFixed(0)} %)`;
    if (similarity !== undefined) caption.textContent += ` · similarity ${similarity.toFixed(2)}`;
    if (group) caption.textContent += ` · group ${group}`;
    if (r.error) caption.className = 'error';
    li.title = r.name;
    li.append(img, caption);
    return li;
  }

  for (const input of [ui.folder, ui.photos]) {
    input.addEventListener('change', () => void tagGallery([...(input.files ?? [])]));
  }
  ui.stop.addEventListener('click', () => running?.abort());
  ui.exportJson.addEventListener('click', () => download('tags.json', 'application/json', tagsToJSON(tagged)));
  ui.exportCsv.addEventListener('click', () => download('tags.csv', 'text/csv', tagsToCSV(tagged)));
}
