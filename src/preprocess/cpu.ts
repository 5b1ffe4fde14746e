/**
 * CPU preprocessing: decoded RGBA pixels → normalized float32 (NCHW, or NHWC), matching
 * torchvision's `Resize(resizeTo, interpolation)` (antialiased, on Pillow) → `CenterCrop(inputSize)`
 * → `ToTensor()` → `Normalize(mean, std)` bit for bit on the same pixels.
 *
 * The resize is Pillow's `ImagingResample` with its bilinear (triangle), bicubic or Lanczos
 * filter: separable, horizontal pass first, the filter's support widened by the downscale
 * factor, coefficients in 22-bit fixed point and each pass rounded back to 8 bits; or Pillow's
 * nearest-neighbour scale. Only the output pixels inside the center crop are computed, which
 * gives the same values as resizing everything and cropping.
 *
 * Everything here is pure and allocation-light: no per-pixel objects, typed arrays only.
 */

import type { RgbaImage } from '../input/pixels.ts';
import { PRECISION_BITS, resizePlan, type Interpolation, type PreprocessParams, type Taps } from './geometry.ts';
import { tablesFor } from './normalize.ts';
import { resizeAndCropSimd } from './simd.ts';

const HALF = 1 << (PRECISION_BITS - 1);

function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v >= 255 ? 255 : v <= 0 ? 0 : v;
}

let scratch = new Uint8Array(0);
let rowSums = new Int32Array(0);

/** Where R, G and B sit in an RGBA pixel read as one 32-bit word, on this machine's byte order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const R_SHIFT = LITTLE_ENDIAN ? 0 : 24;
const G_SHIFT = LITTLE_ENDIAN ? 8 : 16;
const B_SHIFT = LITTLE_ENDIAN ? 16 : 8;

/** RGBA bytes as one 32-bit word per pixel (copied first if they do not start on a 4-byte boundary). */
function words(data: Uint8Array | Uint8ClampedArray): Uint32Array {
  const bytes = data.byteOffset % 4 === 0 ? data : data.slice();
  return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
}

/**
 * Resizes (shorter side → `resizeTo`) and center-crops to `inputSize`, returning the crop as
 * packed RGB bytes (`inputSize² × 3`). Alpha is ignored. Fixed-point sums stay below 2³¹, so
 * the loops run on int32 (`| 0`); bicubic and Lanczos taps can be negative, and each pass
 * clamps to 0…255 as Pillow's does.
 */
export function resizeAndCrop(
  img: RgbaImage,
  resizeTo: number,
  inputSize: number,
  interpolation: Interpolation = 'bilinear',
  out = new Uint8Array(inputSize ** 2 * 3),
): Uint8Array {
  const { width: w, height: h0 } = img;
  if (!img.bands && img.data.length < w * h0 * 4) throw new RangeError(`pixel buffer too small for ${w}×${h0} RGBA`);
  const frame = img.window ?? { x: 0, y: 0, width: w, height: h0, fullWidth: w, fullHeight: h0 };
  const S = inputSize;
  const { h, v, rowFirst, rows } = resizePlan(frame.fullWidth, frame.fullHeight, resizeTo, S, interpolation);
  if (h.start[0] < frame.x || rowFirst < frame.y || rowFirst + rows > frame.y + h0) {
    throw new RangeError('the pixel window does not cover what the crop reads');
  }

  if (resizeAndCropSimd(img, frame, { h, v, rowFirst, rows }, S, out)) return out;
  const stride = S * 3;
  if (scratch.length < rows * stride) scratch = new Uint8Array(rows * stride);
  const bandRows = img.bands?.rows ?? h0;
  // Horizontal pass, band by band: rows × S × RGB, rounded to bytes as Pillow does.
  for (let y = 0; y < rows; ) {
    const row = y + rowFirst - frame.y;
    const k = Math.floor(row / bandRows);
    const n = Math.min(rows - y, (k + 1) * bandRows - row);
    const px = words(img.bands ? img.bands.read(k) : img.data);
    horizontalPass(px, (row - k * bandRows) * w - frame.x, w, h, scratch, y * stride, n);
    y += n;
  }
  verticalPass(scratch, v, rowFirst, S, out);
  return out;
}

/**
 * Pillow's horizontal pass over `n` rows: each RGBA pixel is read as one 32-bit word (a third of
 * the loads of reading bytes); the first row starts at word `base` of `px`, rows `w` words apart.
 */
function horizontalPass(px: Uint32Array, base: number, w: number, h: Taps, tmp: Uint8Array, o: number, n: number): void {
  const { start, count, weights, ksize } = h;
  const S = start.length;
  for (let y = 0; y < n; y++) {
    const rowBase = base + y * w;
    for (let j = 0; j < S; j++) {
      let k = j * ksize;
      let p = rowBase + start[j];
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (const end = k + count[j]; k < end; k++, p++) {
        const wk = weights[k];
        const v = px[p];
        r = (r + ((v >>> R_SHIFT) & 255) * wk) | 0;
        g = (g + ((v >>> G_SHIFT) & 255) * wk) | 0;
        b = (b + ((v >>> B_SHIFT) & 255) * wk) | 0;
      }
      // clip8, inlined (a call here costs a third of the pass)
      r >>= PRECISION_BITS;
      g >>= PRECISION_BITS;
      b >>= PRECISION_BITS;
      tmp[o++] = r >= 255 ? 255 : r <= 0 ? 0 : r;
      tmp[o++] = g >= 255 ? 255 : g <= 0 ? 0 : g;
      tmp[o++] = b >= 255 ? 255 : b <= 0 ? 0 : b;
    }
  }
}

/** Pillow's vertical pass: whole rows at a time (sequential memory), summed in int32 per output byte. */
function verticalPass(tmp: Uint8Array, v: Taps, rowFirst: number, S: number, out: Uint8Array): void {
  const { start, count, weights, ksize } = v;
  const stride = S * 3;
  if (rowSums.length < stride) rowSums = new Int32Array(stride);
  const acc = rowSums;
  for (let i = 0; i < S; i++) {
    acc.fill(HALF, 0, stride);
    for (let k = i * ksize, end = k + count[i], p = (start[i] - rowFirst) * stride; k < end; k++, p += stride) {
      const wk = weights[k];
      for (let j = 0; j < stride; j++) acc[j] = (acc[j] + tmp[p + j] * wk) | 0;
    }
    for (let j = 0, o = i * stride; j < stride; j++) out[o + j] = clip8(acc[j]);
  }
}

let rgbScratch = new Uint8Array(0);

/**
 * Full preprocessing of one image into `out` (3 × inputSize × inputSize floats, NCHW or NHWC as
 * `params.layout` says) at `offset`. Returns `out`, allocated when not given.
 */
export function preprocess(
  img: RgbaImage,
  params: PreprocessParams,
  out?: Float32Array,
  offset = 0,
  tables: Float32Array[] = tablesFor(params),
): Float32Array {
  const S = params.inputSize;
  const plane = S * S;
  const target = out ?? new Float32Array(3 * plane);
  if (target.length < offset + 3 * plane) throw new RangeError('output tensor too small');
  if (rgbScratch.length !== plane * 3) rgbScratch = new Uint8Array(plane * 3);
  const rgb = resizeAndCrop(img, params.resizeTo, S, params.interpolation, rgbScratch);
  const [lr, lg, lb] = tables;
  // Where each input channel goes among the model's channels.
  const [dr, dg, db] = params.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  if (params.layout === 'NHWC') {
    for (let p = 0, o = offset; p < plane * 3; p += 3, o += 3) {
      target[o + dr] = lr[rgb[p]];
      target[o + dg] = lg[rgb[p + 1]];
      target[o + db] = lb[rgb[p + 2]];
    }
    return target;
  }
  const or = offset + dr * plane;
  const og = offset + dg * plane;
  const ob = offset + db * plane;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    target[or + i] = lr[rgb[p]];
    target[og + i] = lg[rgb[p + 1]];
    target[ob + i] = lb[rgb[p + 2]];
  }
  return target;
}
