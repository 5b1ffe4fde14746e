/**
 * The pixels preprocessing reads: an input decoded, and only the window of it that resize + centre
 * crop will use read back (a 12-megapixel photo cropped to its middle reads that part alone).
 */
import { readPixels, readPixelsInOrder, bitmapPixels, type PixelWindow, type RgbaImage } from '../input/pixels.ts';
import type { GpuImageSource, ImageInput } from '../input/decode.ts';
import { sourceRect, type PreprocessParams } from './geometry.ts';

/** What decides the window: the model's resize, crop and filter. */
export type Crop = Pick<PreprocessParams, 'resizeTo' | 'inputSize' | 'interpolation'>;

/** The window `crop` reads of an image of any size. */
export const cropWindow =
  (crop: Crop): PixelWindow =>
  (width, height) =>
    sourceRect(width, height, crop);

/**
 * Decodes `input` into RGBA pixels. Rejects with `INVALID_IMAGE` for anything without pixels.
 * With `crop`, only the part that resize + center crop will read is read back (a window).
 */
export function toPixels(input: ImageInput, signal?: AbortSignal, crop?: Crop): Promise<RgbaImage> {
  return readPixels(input, signal, crop && cropWindow(crop));
}

/** `toPixels` for a list, in order, decoding up to `ahead` images ahead (see `readPixelsInOrder`). */
export function pixelsInOrder(inputs: readonly ImageInput[], signal?: AbortSignal, crop?: Crop, ahead = 2): AsyncGenerator<RgbaImage> {
  return readPixelsInOrder(inputs, signal, crop && cropWindow(crop), ahead);
}

/** The pixels of a source `toGpuSource` made (for images a texture cannot hold), without decoding again. */
export async function gpuSourcePixels(source: GpuImageSource, crop: Crop): Promise<RgbaImage> {
  if (source.kind === 'pixels') return { data: source.data, width: source.width, height: source.height };
  if (source.kind === 'bitmap') return bitmapPixels(source.bitmap, sourceRect(source.width, source.height, crop));
  return toPixels(source.source, undefined, crop);
}
