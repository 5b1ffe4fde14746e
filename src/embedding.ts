/**
 * Embeddings: the model's pooled features, found in its graph when it loads and read from the same
 * run as the labels (graph.ts adds them as a second output), L2-normalized by default.
 */
import { ClassifierError } from './errors.ts';
import { findFeatures, hasTensor, withEmbeddingOutput } from './graph.ts';
import type { ModelSpec } from './models.ts';

/** Options of `embed` / `analyze`. */
export interface EmbedOptions {
  /**
   * Scale the embedding to unit length (L2), so that a dot product is the cosine similarity.
   * @default true
   */
  normalize?: boolean;
  /** Cancels the call (as for `classify`). */
  signal?: AbortSignal;
}

/** The model bytes with the embedding output added, its name, or why there is none. */
export function prepareEmbedding(
  bytes: Uint8Array,
  spec: Pick<ModelSpec, 'embeddingOutput' | 'outputName' | 'url'>,
): { bytes: Uint8Array; output: string | null; missing: string | null } {
  if (spec.embeddingOutput !== undefined) {
    if (!hasTensor(bytes, spec.embeddingOutput)) {
      throw new ClassifierError('MODEL_LOAD_FAILED', `ModelSpec.embeddingOutput: the model at ${spec.url} has no tensor named "${spec.embeddingOutput}"`);
    }
    const added = withEmbeddingOutput(bytes, { tensor: spec.embeddingOutput });
    return { ...added, missing: null };
  }
  let source;
  try {
    source = findFeatures(bytes, spec.outputName);
  } catch {
    source = null; // not parseable here: the runtime says what is wrong with the file
  }
  if (!source) {
    return {
      bytes,
      output: null,
      missing:
        `the model at ${spec.url} has no embedding: no Gemm/MatMul feeds its output ` +
        `${spec.outputName ? `"${spec.outputName}"` : ''} (name the pooled features' tensor in ModelSpec.embeddingOutput)`,
    };
  }
  return { ...withEmbeddingOutput(bytes, source), missing: null };
}

/** The features as an embedding: flattened to one vector, L2-normalized unless asked not to. */
export function toEmbedding(features: Float32Array, options?: Pick<EmbedOptions, 'normalize'>): Float32Array {
  if (options?.normalize === false) return features;
  let sum = 0;
  for (let i = 0; i < features.length; i++) sum += features[i] * features[i];
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < features.length; i++) features[i] /= norm;
  return features;
}
