/**
 * A learned head on embeddings: multinomial logistic regression with weight decay (scikit-learn's
 * `LogisticRegression` objective), trained full-batch by L-BFGS. Examples are kept as int8 codes
 * of the power-normalized pooled features; the head sees them L2-normalized and centred. Pure.
 */
import { quantizeEmbedding } from './similarity.ts';

/** The learner's settings, chosen by measurement (docs/guides/learn-your-own-tags.md). */
export const LEARNER = {
  /** Inverse weight decay, as scikit-learn's `C` (the loss summed over examples, ½‖W‖²). */
  C: 10,
  /** L-BFGS iterations at most (it stops earlier once the gradient is ~0). */
  maxIterations: 25,
  /** L-BFGS history length. */
  history: 10,
} as const;

/** A trained head: `logits = W·(x − mean) + bias` for a unit-length example vector `x`. */
export interface Head {
  dim: number;
  classes: number;
  /** `dim` values: the mean of the training vectors. */
  mean: Float32Array;
  /** `classes × dim`, row-major. */
  weights: Float32Array;
  /** `classes` values. */
  bias: Float32Array;
}

/**
 * Raw pooled features → the example as it is kept: the signed square root of each value (power
 * normalization, which evens out a few large activations), quantized to int8 (a quarter of float32's
 * size; the scale drops out when the vector is normalized).
 */
export function exampleCode(features: ArrayLike<number>): Int8Array {
  const p = new Float32Array(features.length);
  for (let i = 0; i < p.length; i++) {
    const v = features[i];
    p[i] = v < 0 ? -Math.sqrt(-v) : Math.sqrt(v);
  }
  return quantizeEmbedding(p);
}

/** An example code as the unit-length vector the head reads (all zeros stays zeros). */
export function unitVector(code: Int8Array): Float64Array {
  let sum = 0;
  for (let i = 0; i < code.length; i++) sum += code[i] * code[i];
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  return Float64Array.from(code, (v) => v * scale);
}

/** The head's scores (before softmax) for one example code. */
export function headLogits(head: Head, code: Int8Array): Float32Array {
  if (code.length !== head.dim) throw new RangeError(`the head takes ${head.dim}-value embeddings, got ${code.length}`);
  const x = unitVector(code);
  for (let j = 0; j < head.dim; j++) x[j] -= head.mean[j];
  const out = new Float32Array(head.classes);
  for (let k = 0; k < head.classes; k++) {
    let z = head.bias[k];
    const row = k * head.dim;
    for (let j = 0; j < head.dim; j++) z += head.weights[row + j] * x[j];
    out[k] = z;
  }
  return out;
}

/** What the trainer reports after each iteration. */
export interface TrainStep {
  iteration: number;
  /** The objective (mean cross-entropy + weight decay). */
  loss: number;
}

/** Options of {@link trainHead}. */
export interface TrainOptions {
  C?: number;
  maxIterations?: number;
  /** Start from this head's weights (same classes and size): relearning after new examples. */
  init?: Head;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * Trains a head on example codes (`codes[i]` has class `classOf[i]`, 0 ≤ class < `classes`). A
 * generator: each `next()` runs one L-BFGS iteration and yields its loss, so a caller can give the
 * thread back between iterations ({@link trainHeadAsync}) or run it through ({@link trainHeadSync});
 * the head is its return value. Deterministic: the same codes in the same order give the same head.
 */
export function* trainHead(codes: readonly Int8Array[], classOf: ArrayLike<number>, classes: number, options: TrainOptions = {}): Generator<TrainStep, Head> {
  const n = codes.length;
  if (n === 0 || classes < 1) throw new RangeError('trainHead: no examples');
  const d = codes[0].length;
  const C = options.C ?? LEARNER.C;
  const maxIterations = options.maxIterations ?? LEARNER.maxIterations;
  const m = LEARNER.history;
  // Centred unit vectors, one row each.
  const X = new Float64Array(n * d);
  const mean = new Float64Array(d);
  codes.forEach((c, i) => {
    if (c.length !== d) throw new RangeError(`trainHead: example ${i} has ${c.length} values, not ${d}`);
    const u = unitVector(c);
    X.set(u, i * d);
    for (let j = 0; j < d; j++) mean[j] += u[j] / n;
  });
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] -= mean[j];
  const K = classes;
  const P = K * d + K; // weights, then biases
  const decay = 1 / (C * n);
  const probs = new Float64Array(K);

  /** Objective and gradient at θ (scikit-learn's, divided by C·n). */
  const evaluate = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const xi = i * d;
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        let z = theta[K * d + k];
        const row = k * d;
        for (let j = 0; j < d; j++) z += theta[row + j] * X[xi + j];
        probs[k] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let k = 0; k < K; k++) sum += probs[k] = Math.exp(probs[k] - max);
      const y = classOf[i];
      loss += Math.log(sum) - Math.log(probs[y]);
      for (let k = 0; k < K; k++) {
        const r = (probs[k] / sum - (k === y ? 1 : 0)) / n;
        if (r === 0) continue;
        const row = k * d;
        for (let j = 0; j < d; j++) grad[row + j] += r * X[xi + j];
        grad[K * d + k] += r;
      }
    }
    loss /= n;
    let wsq = 0;
    for (let q = 0; q < K * d; q++) {
      wsq += theta[q] * theta[q];
      grad[q] += decay * theta[q];
    }
    return loss + 0.5 * decay * wsq;
  };

  const theta = new Float64Array(P);
  if (options.init && options.init.classes === K && options.init.dim === d) {
    theta.set(options.init.weights);
    theta.set(options.init.bias, K * d);
  }
  let grad = new Float64Array(P);
  let f = evaluate(theta, grad);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  const dir = new Float64Array(P);
  const next = new Float64Array(P);
  let nextGrad = new Float64Array(P);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    // Two-loop recursion: dir = −H·grad.
    dir.set(grad);
    for (let h = S.length - 1; h >= 0; h--) {
      alpha[h] = rho[h] * dot(S[h], dir);
      for (let q = 0; q < P; q++) dir[q] -= alpha[h] * Y[h][q];
    }
    const gamma = S.length ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1]) : 1 / Math.max(1e-12, Math.sqrt(dot(grad, grad)));
    for (let q = 0; q < P; q++) dir[q] *= gamma;
    for (let h = 0; h < S.length; h++) {
      const beta = rho[h] * dot(Y[h], dir);
      for (let q = 0; q < P; q++) dir[q] += S[h][q] * (alpha[h] - beta);
    }
    for (let q = 0; q < P; q++) dir[q] = -dir[q];
    let slope = dot(grad, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let q = 0; q < P; q++) dir[q] = -grad[q];
      slope = -dot(grad, grad);
    }
    // Backtracking line search (Armijo).
    let step = 1;
    let fNext = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let q = 0; q < P; q++) next[q] = theta[q] + step * dir[q];
      fNext = evaluate(next, nextGrad);
      if (fNext <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNext < f)) break; // no progress possible
    const s = new Float64Array(P);
    const yv = new Float64Array(P);
    for (let q = 0; q < P; q++) {
      s[q] = next[q] - theta[q];
      yv[q] = nextGrad[q] - grad[q];
    }
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
    }
    theta.set(next);
    [grad, nextGrad] = [nextGrad, grad];
    const fPrev = f;
    f = fNext;
    yield { iteration, loss: f };
    let gmax = 0;
    for (let q = 0; q < P; q++) gmax = Math.max(gmax, Math.abs(grad[q]));
    if (gmax < 1e-6 || fPrev - f < 1e-10 * Math.max(1, Math.abs(f))) break;
  }
  return {
    dim: d,
    classes: K,
    mean: Float32Array.from(mean),
    weights: Float32Array.from(theta.subarray(0, K * d)),
    bias: Float32Array.from(theta.subarray(K * d)),
  };
}

/** Runs {@link trainHead} through on this thread. */
export function trainHeadSync(codes: readonly Int8Array[], classOf: ArrayLike<number>, classes: number, options?: TrainOptions): Head {
  const run = trainHead(codes, classOf, classes, options);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs {@link trainHead}, giving the thread back between iterations (the page stays responsive);
 * `check` runs before each iteration and may throw (an abort).
 */
export async function trainHeadAsync(
  codes: readonly Int8Array[],
  classOf: ArrayLike<number>,
  classes: number,
  options?: TrainOptions,
  check?: () => void,
): Promise<Head> {
  const run = trainHead(codes, classOf, classes, options);
  for (;;) {
    check?.();
    const r = run.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}
