/**
 * The geometry of resize + centre crop, shared by the CPU and GPU paths and by the decoder (which
 * reads only the part of an image the crop needs): Pillow's filter taps in 22-bit fixed point,
 * torchvision's resized size and crop offset, and the plan of one image. Pure.
 */
import type { Rect } from '../input/pixels.ts';

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

/** Pillow's fixed-point precision: 32 − 8 − 2 bits. */
export const PRECISION_BITS = 22;

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
