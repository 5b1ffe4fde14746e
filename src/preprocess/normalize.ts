/** Normalization: byte value → the model's float32 input, as torch computes it, in lookup tables (CPU and GPU). */
import type { PreprocessParams } from './geometry.ts';

/**
 * Per-channel lookup tables, byte value → normalized float32 as torch computes it in float32
 * (`ToTensor` divides by 255, `Normalize` subtracts and divides), one per *input* channel
 * (R, G, B) whatever the model's channel order: with `'BGR'` the R table uses the model's third
 * mean and std.
 */
export function normalizationTables(
  mean: readonly number[],
  std: readonly number[],
  pixelScale = 1 / 255,
  channelOrder: 'RGB' | 'BGR' = 'RGB',
): Float32Array[] {
  const scaled = (v: number) => (pixelScale === 1 / 255 ? Math.fround(v / 255) : Math.fround(v * pixelScale));
  return [0, 1, 2].map((c) => {
    const d = channelOrder === 'BGR' ? 2 - c : c;
    const lut = new Float32Array(256);
    const m = Math.fround(mean[d]);
    const s = Math.fround(std[d]);
    for (let v = 0; v < 256; v++) lut[v] = Math.fround(Math.fround(scaled(v) - m) / s);
    return lut;
  });
}

/** The tables of a model's {@link PreprocessParams}. */
export function tablesFor(params: PreprocessParams): Float32Array[] {
  return normalizationTables(params.mean, params.std, params.pixelScale, params.channelOrder);
}
