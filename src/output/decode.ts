/** Decoding: logits → softmax probabilities → the top-k classes with their labels. */

/** One class of a result: its name, its index in the model's output, its softmax probability. */
export interface Prediction {
  /** Human-readable class name. */
  label: string;
  /** Index of the class in the model's output. */
  index: number;
  /** Softmax probability in [0, 1]. */
  score: number;
}

/** Numerically stable softmax (accumulated in float64). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  const n = logits.length;
  const out = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.exp(logits[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < n; i++) out[i] /= sum;
  return out;
}

/** Indices of the `k` largest values, largest first; ties go to the lower index. NaN ranks last. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const n = values.length;
  const m = Math.min(Math.max(0, Math.floor(k)), n);
  const best: number[] = [];
  const rank = (i: number) => (Number.isNaN(values[i]) ? -Infinity : values[i]);
  for (let i = 0; i < n; i++) {
    const v = rank(i);
    if (best.length === m && (m === 0 || v <= rank(best[m - 1]))) continue;
    let pos = best.length === m ? m - 1 : best.length;
    while (pos > 0 && rank(best[pos - 1]) < v) {
      best[pos] = best[pos - 1];
      pos--;
    }
    best[pos] = i;
  }
  return best;
}

/** The `k` most likely classes of one image's logits, with labels and softmax scores. */
export function decodePredictions(logits: ArrayLike<number>, labels: readonly string[], k: number): Prediction[] {
  const probs = softmax(logits);
  return topK(probs, k).map((index) => ({ label: labels[index] ?? `class ${index}`, index, score: probs[index] }));
}
