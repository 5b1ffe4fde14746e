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
    const name = spec.embeddingOutput;
    if (!readGraph(spec.url, () => hasTensor(bytes, name))) {
      throw new ClassifierError('MODEL_LOAD_FAILED', `ModelSpec.embeddingOutput: the model at ${spec.url} has no tensor named "${name}"`);
    }
    return { ...readGraph(spec.url, () => withEmbeddingOutput(bytes, { tensor: name })), missing: null };
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
  const found = source;
  return { ...readGraph(spec.url, () => withEmbeddingOutput(bytes, found)), missing: null };
}

/** `read()`, with graph.ts's own errors (a truncated or damaged file) as `MODEL_LOAD_FAILED`. */
function readGraph<T>(url: string | undefined, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof ClassifierError) throw e;
    throw new ClassifierError('MODEL_LOAD_FAILED', `the model at ${url} is not a readable ONNX file: ${String(e)}`, { cause: e });
  }
}
