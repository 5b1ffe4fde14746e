/**
 * Tagging many photos: classify a FileList / Blob[] with bounded concurrency, progress and
 * abort; export the results as JSON or CSV.
 */
import type { Analysis, Classifier } from './classifier.ts';
import type { ClassifyOptions } from './options.ts';
import type { Prediction } from '../output/decode.ts';
import { ClassifierError, type ClassifierErrorCode } from '../common/errors.ts';

/** One photo's result: its predictions, or (for a file that is not a readable image) an error. */
export interface TagResult {
  /** The photo, as it was given. */
  file: Blob;
  /** File name when the input is a `File`, else `''`. */
  name: string;
  /** Its predictions, as `classify` gives them (`GroupPrediction`s with `groups`). */
  predictions: Prediction[];
  /** With `embed: true`: its embedding, from the same model run (see `classifier.embed`). */
  embedding?: Float32Array;
  /** Set when this file could not be classified; `predictions` is then empty. */
  error?: {
    /** Its `ClassifierError` code (`'INVALID_IMAGE'` for a file that is not a readable image). */
    code: ClassifierErrorCode | 'UNKNOWN';
    /** What was wrong with the file. */
    message: string;
  };
}

/** Options of {@link tagPhotos}. */
export interface TagOptions extends Pick<ClassifyOptions, 'topK' | 'scoreThreshold' | 'allow' | 'deny' | 'groups'> {
  /**
   * How many files are decoded and queued at once (runs share one session, so more mostly
   * overlaps decoding with inference).
   * @default 2
   */
  concurrency?: number;
  /** Called after each file, with how many are done. */
  onProgress?: (done: number, total: number) => void;
  /** Stops the work: files not started are left out and the call rejects with `ABORTED`. */
  signal?: AbortSignal;
  /**
   * Also give each photo its embedding (L2-normalized), from the same model run as its labels:
   * for `nearest` and `findDuplicates` over the photos.
   * @default false
   */
  embed?: boolean;
}

/** What `tagPhotos` needs of a classifier (a {@link Classifier} is one). */
export interface Tagger {
  /** Classifies one photo (see `Classifier.classify`). */
  classify(image: Blob, options?: ClassifyOptions): Promise<Prediction[]>;
  /** Classifies and embeds one photo in one run (see `Classifier.analyze`); needed for `embed: true`. */
  analyze?(image: Blob, options?: ClassifyOptions): Promise<Analysis>;
}

/**
 * Classifies every file, in order of the input, at most `concurrency` at a time. A file that is
 * not a readable image gets an `error` instead of predictions; the others are unaffected.
 */
export async function tagPhotos(
  classifier: Tagger,
  files: FileList | ArrayLike<Blob> | Iterable<Blob>,
  options: TagOptions = {},
): Promise<TagResult[]> {
  const list = Array.from(files as ArrayLike<Blob>);
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  const { signal, onProgress: _onProgress, concurrency: _concurrency, embed, ...controls } = options;
  if (embed && !classifier.analyze) throw new TypeError('tagPhotos(classifier, files, { embed: true }): the classifier has no analyze()');
  const results: TagResult[] = new Array(list.length);
  let next = 0;
  let done = 0;
  const abort = () => new ClassifierError('ABORTED', 'tagging was aborted', { cause: signal?.reason });

  const worker = async () => {
    while (next < list.length) {
      if (signal?.aborted) throw abort();
      const i = next++;
      const file = list[i];
      const name = typeof File !== 'undefined' && file instanceof File ? file.name : '';
      try {
        results[i] = embed
          ? { file, name, ...(await classifier.analyze!(file, { ...controls, signal })) }
          : { file, name, predictions: await classifier.classify(file, { ...controls, signal }) };
      } catch (e) {
        if (signal?.aborted) throw abort();
        if (!(e instanceof ClassifierError) || e.code !== 'INVALID_IMAGE') throw e;
        results[i] = { file, name, predictions: [], error: { code: e.code, message: e.message } };
      }
      options.onProgress?.(++done, list.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
  return results;
}

/** The results as JSON: `[{ file, predictions: [{ label, index, score }], embedding?, error? }]`. */
export function tagsToJSON(results: readonly TagResult[]): string {
  return JSON.stringify(
    results.map((r) => ({
      file: r.name,
      predictions: r.predictions,
      ...(r.embedding ? { embedding: Array.from(r.embedding) } : {}),
      ...(r.error ? { error: r.error } : {}),
    })),
    null,
    2,
  );
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The results as CSV (RFC 4180), one row per file and rank: `file,rank,label,index,score,error`. */
export function tagsToCSV(results: readonly TagResult[]): string {
  const rows = [['file', 'rank', 'label', 'index', 'score', 'error']];
  for (const r of results) {
    if (r.error) rows.push([r.name, '', '', '', '', `${r.error.code}: ${r.error.message}`]);
    r.predictions.forEach((p, k) => rows.push([r.name, String(k + 1), p.label, String(p.index), p.score.toFixed(6), '']));
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
