/** Pooled features → an embedding: one vector, L2-normalized unless asked not to. */

/** The features as an embedding: flattened to one vector, L2-normalized unless asked not to. */
export function toEmbedding(features: Float32Array, options?: { normalize?: boolean }): Float32Array {
  if (options?.normalize === false) return features;
  let sum = 0;
  for (let i = 0; i < features.length; i++) sum += features[i] * features[i];
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < features.length; i++) features[i] /= norm;
  return features;
}
