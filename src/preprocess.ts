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

/**
 * Decoded pixels: 4 bytes per pixel (RGBA, not premultiplied), row-major. The pixels may be a
 * window of a larger image (only the part the crop reads): `window` says where it sits.
 */
export interface RgbaImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** The full image's size and this window's origin in it; default: the pixels are the whole image. */
  window?: Rect & { fullWidth: number; fullHeight: number };
  /**
   * A large image comes in bands of rows instead (`data` is then empty): `read(k)` returns rows
   * `k·rows … (k+1)·rows − 1` of the pixels. They are read in order, each once, so only one
   * band is held at a time.
   */
  bands?: { rows: number; read(k: number): Uint8Array | Uint8ClampedArray };
  /** Frees what holds the pixels (the decoded bitmap a banded image reads from); call when done. */
  release?(): void;
}

/** A rectangle of pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What preprocessing needs to know of a model (a subset of `ModelSpec`; see there). */
export interface PreprocessParams {
  inputSize: number;
  resizeTo: number;
  /** In the order of the model's input channels (`channelOrder`). */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** Default `'bilinear'`. */
  interpolation?: Interpolation;
  /** Default `'NCHW'`. */
  layout?: 'NCHW' | 'NHWC';
  /** Default `'RGB'`. */
  channelOrder?: 'RGB' | 'BGR';
  /** Pixel bytes are multiplied by this before the mean is subtracted; default 1/255. */
  pixelScale?: number;
}

const PRECISION_BITS = 22; // Pillow: 32 - 8 - 2
const HALF = 1 << (PRECISION_BITS - 1);

/** Size after resizing the shorter side to `resizeTo` (torchvision: the longer side is truncated). */
export function resizedSize(width: number, height: number, resizeTo: number): { width: number; height: number } {
  if (width <= height) return { width: resizeTo, height: Math.trunc((resizeTo * height) / width) };
  return { width: Math.trunc((resizeTo * width) / height), height: resizeTo };
}

/** Python's `round()`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision CenterCrop's offset along one axis: `int(round((size - crop) / 2))`. */
export function cropOffset(size: number, crop: number): number {
  return roundHalfEven((size - crop) / 2);
}

/** Fixed-point filter taps for a run of output pixels along one axis. */
export interface Taps {
  /** First input index each output pixel reads. */
  start: Int32Array;
  /** How many input pixels each output pixel reads. */
  count: Int32Array;
  /** `ksize` weights per output pixel (22-bit fixed point; unused ones are 0). */
  weights: Int32Array;
  ksize: number;
}

/** How the image is resized: Pillow's filters, by the names torchvision, timm and Hugging Face use. */
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos';

/** The interpolations {@link resizeAndCrop} ports from Pillow. */
export const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'bilinear', 'bicubic', 'lanczos'];

/** Pillow's filters (libImaging/Resample.c): the kernel and its support at scale 1. */
const FILTERS: Record<Exclude<Interpolation, 'nearest'>, { kernel: (x: number) => number; support: number }> = {
  bilinear: {
    support: 1,
    kernel(x) {
      const a = x < 0 ? -x : x;
      return a < 1 ? 1 - a : 0;
    },
  },
  bicubic: {
    support: 2,
    kernel(x) {
      // Keys' cubic convolution with a = -0.5, as Pillow writes it.
      const A = -0.5;
      const t = x < 0 ? -x : x;
      if (t < 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * A;
      return 0;
    },
  },
  lanczos: {
    support: 3,
    kernel(x) {
      return -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0;
    },
  },
};

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

/**
 * Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for outputs `first … first+n-1` of a
 * resize from `inSize` to `outSize` pixels with one of its antialiased filters (the support
 * widens by the downscale factor). `'nearest'` is Pillow's other path (an affine scale that picks
 * one pixel: the same position arithmetic, accumulated in doubles as Pillow does), given as taps
 * of one pixel with weight 1, so both passes and the WebGPU shaders run it unchanged.
 */
export function resizeTaps(interpolation: Interpolation, inSize: number, outSize: number, first: number, n: number): Taps {
  if (interpolation === 'nearest') return nearestTaps(inSize, outSize, first, n);
  const filter = FILTERS[interpolation];
  if (!filter) throw new RangeError(`unknown interpolation "${String(interpolation)}" (one of ${INTERPOLATIONS.join(', ')})`);
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const ss = 1 / filterscale;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const weights = new Int32Array(n * ksize);
  const w = new Float64Array(ksize);
  for (let i = 0; i < n; i++) {
    const center = (first + i + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = filter.kernel((x + xmin - center + 0.5) * ss);
      ww += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      weights[i * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * (1 << PRECISION_BITS)) : Math.trunc(0.5 + v * (1 << PRECISION_BITS));
    }
    start[i] = xmin;
    count[i] = xmax;
  }
  return { start, count, weights, ksize };
}

/**
 * Pillow's nearest-neighbour resize (`ImagingScaleAffine`): output pixel x reads input pixel
 * `(int)(a/2 + x·a)`, a = inSize/outSize, the position summed step by step in doubles.
 */
function nearestTaps(inSize: number, outSize: number, first: number, n: number): Taps {
  const a = inSize / outSize;
  const start = new Int32Array(n);
  const count = new Int32Array(n).fill(1);
  const weights = new Int32Array(n).fill(1 << PRECISION_BITS);
  let xo = a * 0.5;
  for (let x = 0; x < first + n; x++, xo += a) {
    if (x >= first) start[x - first] = Math.min(inSize - 1, Math.trunc(xo));
  }
  return { start, count, weights, ksize: 1 };
}

function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v >= 255 ? 255 : v <= 0 ? 0 : v;
}

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

/** Everything both passes need for one image: taps along each axis and the source rows read. */
export interface ResizePlan {
  /** Taps of the crop's columns (horizontal pass). */
  h: Taps;
  /** Taps of the crop's rows (vertical pass), in source rows. */
  v: Taps;
  /** First source row the vertical pass reads, and how many. */
  rowFirst: number;
  rows: number;
}

/** The resize + crop of a `width × height` image, as Pillow + torchvision would do it. */
export function resizePlan(
  width: number,
  height: number,
  resizeTo: number,
  inputSize: number,
  interpolation: Interpolation = 'bilinear',
): ResizePlan {
  if (!(width > 0 && height > 0)) throw new RangeError(`image has no pixels (${width}×${height})`);
  const S = inputSize;
  const size = resizedSize(width, height, resizeTo);
  const h = resizeTaps(interpolation, width, size.width, cropOffset(size.width, S), S);
  const v = resizeTaps(interpolation, height, size.height, cropOffset(size.height, S), S);
  let rowFirst = Infinity;
  let rowEnd = 0;
  for (let i = 0; i < S; i++) {
    rowFirst = Math.min(rowFirst, v.start[i]);
    rowEnd = Math.max(rowEnd, v.start[i] + v.count[i]);
  }
  return { h, v, rowFirst, rows: rowEnd - rowFirst };
}

/** The part of a `width × height` image that preprocessing reads (the rest need not be decoded to pixels). */
export function sourceRect(width: number, height: number, params: Pick<PreprocessParams, 'resizeTo' | 'inputSize' | 'interpolation'>): Rect {
  const { h, rowFirst, rows } = resizePlan(width, height, params.resizeTo, params.inputSize, params.interpolation);
  const last = h.start.length - 1;
  const x = h.start[0];
  return { x, y: rowFirst, width: h.start[last] + h.count[last] - x, height: rows };
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
