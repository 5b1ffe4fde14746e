/** The public entry points: a classifier in a worker where supported, else in this thread. */
import { createLocalClassifier, type Classifier, type ClassifierOptions, type ClassifyOptions } from './classifier.ts';
import type { Prediction } from './decode.ts';
import type { ImageInput } from './image.ts';
import { createWorkerClassifier, workerSupported } from './worker-client.ts';

/** Loads a model and returns a {@link Classifier}. */
export function createClassifier(options: ClassifierOptions = {}): Promise<Classifier> {
  return (options.worker ?? workerSupported()) ? createWorkerClassifier(options) : createLocalClassifier(options);
}

let shared: Promise<Classifier> | null = null;

/**
 * Classifies with a default classifier (`createClassifier()` with default options), created on
 * first use and kept.
 */
export async function classify(image: ImageInput, options?: ClassifyOptions): Promise<Prediction[]> {
  if (!shared) {
    shared = createClassifier();
    shared.catch(() => {
      shared = null; // let a later call try again
    });
  }
  return (await shared).classify(image, options);
}
