/**
 * A per-call view of the image (`region`, `rotation`): which part of it the model sees, and which
 * way up. The view is cut from the decoded pixels (after EXIF orientation) before the model's own
 * resize + crop, so the CPU and GPU paths start from the same pixels.
 */
import { readPixels, type Rect, type RgbaImage } from '../input/pixels.ts';
import type { ImageInput } from '../input/decode.ts';

/** A rectangle of the image, in its pixels (after EXIF orientation), origin top left. */
export interface Region {
  /** Left edge, pixels from the image's left. */
  x: number;
  /** Top edge, pixels from the image's top. */
  y: number;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** Clockwise quarter turns, in degrees. */
export type Rotation = 0 | 90 | 180 | 270;

/** Which part of the image the model sees and which way up (MediaPipe's ImageProcessingOptions). */
export interface ViewOptions {
  /**
   * Classify only this rectangle of the image, in the image's pixels after EXIF orientation
   * (what the user sees), origin top left. Values are rounded to whole pixels; the rectangle must
   * lie inside the image (a `RangeError` names the image's size otherwise). The model's own
   * resize and centre crop then apply to the rectangle, as they would to a photo of it.
   * @default the whole image
   */
  region?: Region;
  /**
   * Turn the image (after `region`) clockwise by this many degrees before classifying, for a
   * camera held sideways or a scan upside down.
   * @default 0
   */
  rotation?: Rotation;
}

/** A checked view: a rectangle in whole pixels (or none) and a rotation. */
export interface View {
  region: Region | null;
  rotation: Rotation;
}

const ROTATIONS: readonly number[] = [0, 90, 180, 270];

/**
 * Checks `region`/`rotation` of a call's options (throwing `TypeError`/`RangeError` before anything
 * runs). `null` when there is nothing to do (no region, no rotation).
 */
export function checkView(options: ViewOptions | undefined): View | null {
  const { region, rotation = 0 } = options ?? {};
  if (!ROTATIONS.includes(rotation)) throw new RangeError(`rotation must be 0, 90, 180 or 270 (degrees clockwise), got ${String(rotation)}`);
  if (region === undefined) return rotation === 0 ? null : { region: null, rotation };
  if (typeof region !== 'object' || region === null) throw new TypeError('region must be an object { x, y, width, height } in image pixels');
  for (const key of ['x', 'y', 'width', 'height'] as const) {
    const v: unknown = region[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`region.${key} must be a finite number of pixels, got ${String(v)}`);
  }
  const x0 = Math.round(region.x);
  const y0 = Math.round(region.y);
  const x1 = Math.round(region.x + region.width);
  const y1 = Math.round(region.y + region.height);
  if (x0 < 0 || y0 < 0) throw new RangeError(`region starts outside the image (x ${region.x}, y ${region.y}): x and y must be ≥ 0`);
  if (x1 <= x0 || y1 <= y0) {
    throw new RangeError(`region must be at least one pixel wide and high, got ${region.width}×${region.height}`);
  }
  return { region: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, rotation };
}

/** The region as a rectangle of a `width × height` image; a `RangeError` when it reaches outside. */
export function regionRect(view: View, width: number, height: number): Rect {
  const r = view.region;
  if (!r) return { x: 0, y: 0, width, height };
  if (r.x + r.width > width || r.y + r.height > height) {
    throw new RangeError(
      `region { x: ${r.x}, y: ${r.y}, width: ${r.width}, height: ${r.height} } reaches outside the ${width}×${height} image ` +
        '(regions are in the image’s pixels after EXIF orientation)',
    );
  }
  return { ...r };
}

/** The pixels in one contiguous buffer (a banded image's bands read and joined). */
function contiguous(img: RgbaImage): Uint8Array | Uint8ClampedArray {
  if (!img.bands) return img.data;
  const rowBytes = img.width * 4;
  const out = new Uint8Array(rowBytes * img.height);
  for (let k = 0, row = 0; row < img.height; k++, row += img.bands.rows) out.set(img.bands.read(k).subarray(0, Math.min(img.bands.rows, img.height - row) * rowBytes), row * rowBytes);
  return out;
}

/** The rectangle `r` of whole-image RGBA pixels `width` wide (a copy). */
function cropRows(data: Uint8Array | Uint8ClampedArray, width: number, r: Rect): Uint8Array {
  const out = new Uint8Array(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * width + r.x) * 4;
    out.set(data.subarray(from, from + r.width * 4), y * r.width * 4);
  }
  return out;
}

/** RGBA pixels turned clockwise by `rotation` degrees (a copy; the same pixels at 0). Pure. */
export function rotatePixels(img: { data: Uint8Array | Uint8ClampedArray; width: number; height: number }, rotation: Rotation): RgbaImage {
  const { data, width: w, height: h } = img;
  if (rotation === 0) return { data, width: w, height: h };
  const src = new Uint32Array(data.buffer, data.byteOffset, w * h);
  const outW = rotation === 180 ? w : h;
  const outH = rotation === 180 ? h : w;
  const bytes = new Uint8Array(w * h * 4);
  const dst = new Uint32Array(bytes.buffer);
  if (rotation === 180) {
    for (let i = 0, n = w * h; i < n; i++) dst[n - 1 - i] = src[i];
  } else if (rotation === 90) {
    // Source (x, y) → (h − 1 − y, x): the left column becomes the top row.
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) dst[x * outW + (h - 1 - y)] = src[y * w + x];
  } else {
    // 270: source (x, y) → (y, w − 1 − x).
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) dst[(w - 1 - x) * outW + y] = src[y * w + x];
  }
  return { data: bytes, width: outW, height: outH };
}

/** The view of `input`: its region's pixels (only those are read back), turned by the rotation. */
export async function viewPixels(input: ImageInput, view: View, signal?: AbortSignal): Promise<RgbaImage> {
  let rect: Rect | undefined;
  const img = await readPixels(input, signal, (width, height) => (rect = regionRect(view, width, height)));
  try {
    const r = rect ?? regionRect(view, img.width, img.height); // ImageData is read whole, without a window
    let data = contiguous(img);
    if (img.width !== r.width || img.height !== r.height) data = cropRows(data, img.width, r);
    // Typed-array views of pixels that start at an odd byte offset cannot be read as words.
    else if (data.byteOffset % 4 !== 0) data = data.slice();
    return rotatePixels({ data, width: r.width, height: r.height }, view.rotation);
  } finally {
    img.release?.();
  }
}

/** `viewPixels` for a list, in order, one at a time. */
export async function* viewsInOrder(inputs: readonly ImageInput[], view: View, signal?: AbortSignal): AsyncGenerator<RgbaImage> {
  for (const input of inputs) yield await viewPixels(input, view, signal);
}
