/** The public entry points: a classifier in a worker where supported, else in this thread. */
import type { ImageInput } from '../input/decode.ts';
import { createLocalClassifier } from '../local/load.ts';
import type { ResultFor } from '../output/controls.ts';
import { createWorkerClassifier, workerSupported } from '../worker/client.ts';
import type { Classifier } from './classifier.ts';
import type { ClassifierOptions, ClassifyOptions } from './options.ts';

/** Loads a model and returns a {@link Classifier}. */
export function createClassifier(options: ClassifierOptions = {}): Promise<Classifier> {
  const { persist, ...rest } = options;
  if (persist) askToPersist();
  return (rest.worker ?? workerSupported()) ? createWorkerClassifier(rest) : createLocalClassifier(rest);
}

/** `navigator.storage.persist()`, not waited for (a prompt in Firefox); where there is none (a worker, an old browser), nothing. */
function askToPersist(): void {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (typeof storage?.persist === 'function') storage.persist().catch(() => undefined);
}

let shared: Promise<Classifier> | null = null;
let sharedOptions: ClassifierOptions = {};

/** Sets the options the default classifier will be created with (the script tag's attributes). */
export function setDefaultOptions(options: ClassifierOptions): void {
  sharedOptions = options;
}

/** The default classifier, created on first use and kept (a failed creation is retried next time). */
export function getDefaultClassifier(): Promise<Classifier> {
  if (!shared) {
    shared = createClassifier(sharedOptions);
    shared.catch(() => {
      shared = null; // let a later call try again
    });
  }
  return shared;
}

/** Classifies with the default classifier (`createClassifier()` with default options unless set). */
export async function classify<O extends ClassifyOptions = ClassifyOptions>(image: ImageInput, options?: O): Promise<ResultFor<O>[]> {
  return (await getDefaultClassifier()).classify(image, options);
}
