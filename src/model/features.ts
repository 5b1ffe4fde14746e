/**
 * The model's pooled features (the input of its classifier head), found in its graph when it loads
 * and added as a second output (graph.ts), so that one run gives the labels and the embedding.
 */
import { ClassifierError } from '../common/errors.ts';
import { findFeatures, hasTensor, withEmbeddingOutput } from './graph.ts';
import type { ModelSpec } from './spec.ts';

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
