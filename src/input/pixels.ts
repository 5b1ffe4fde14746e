/**
 * Decoded RGBA pixels (not premultiplied, EXIF orientation applied), read from a bitmap: all of an
 * image, or only a window of it (the part preprocessing will read), in bands of rows when large.
 */
import { checkSize, invalid, isA, isTaintError, taintedImage, toBitmap, type ImageInput } from './decode.ts';

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

/** Which rectangle of a `width × height` image to read (see preprocess/window.ts). */
export type PixelWindow = (width: number, height: number) => Rect;

/**
 * Decodes `input` into RGBA pixels. Rejects with `INVALID_IMAGE` for anything without pixels.
 * With `window`, only that rectangle of the image is read back.
 */
export async function readPixels(input: ImageInput, signal?: AbortSignal, window?: PixelWindow): Promise<RgbaImage> {
  if (isA<ImageData>(input, 'ImageData')) {
    checkSize(input.width, input.height);
    return { data: input.data, width: input.width, height: input.height };
  }
  const bitmap = await toBitmap(input, signal);
  const owned = bitmap !== input;
  let image: RgbaImage | undefined;
  try {
    const rect = window?.(bitmap.width, bitmap.height);
    image = (await framePixels(bitmap, rect)) ?? bitmapPixels(bitmap, rect);
    // A banded image reads from the bitmap as it goes: it is closed by the image's release().
    if (image.bands && owned) return { ...image, release: () => bitmap.close() };
    return image;
  } finally {
    if (owned && !image?.bands) bitmap.close();
  }
}

/**
 * `readPixels` for a list, in order, decoding up to `ahead` images beyond the one being used:
 * the browser decodes off the main thread, so decoding overlaps the caller's work on the
 * previous images. At most `ahead + 1` decoded images are held at once.
 */
export async function* readPixelsInOrder(
  inputs: readonly ImageInput[],
  signal?: AbortSignal,
  window?: PixelWindow,
  ahead = 2,
): AsyncGenerator<RgbaImage> {
  const pending: Promise<RgbaImage>[] = [];
  const start = (i: number) => {
    const p = readPixels(inputs[i], signal, window);
    p.catch(() => undefined); // rejections surface when their turn comes
    pending[i] = p;
  };
  try {
    for (let i = 0; i < inputs.length; i++) {
      for (let j = i; j <= Math.min(i + ahead, inputs.length - 1); j++) if (!pending[j]) start(j);
      const pixels = await pending[i];
      delete pending[i];
      yield pixels;
    }
  } finally {
    // The caller stopped early (an error): free what was decoded ahead.
    for (const p of pending) p?.then((pixels) => pixels.release?.(), () => undefined);
  }
}

let canvas2d: OffscreenCanvasRenderingContext2D | null = null;
let framesWork = typeof VideoFrame !== 'undefined';
let framesChecked: Promise<boolean> | null = null;

/**
 * Whether `VideoFrame.copyTo` converts to RGBA as asked here: checked once on a 2×1 bitmap of
 * known colours, so that a browser that ignores `format` (and copies BGRX as it is) never hands
 * the resize swapped channels.
 */
function framesConvert(): Promise<boolean> {
  framesChecked ??= (async () => {
    const known = new Uint8ClampedArray([250, 20, 5, 255, 3, 140, 230, 255]);
    const bitmap = await createImageBitmap(new ImageData(known, 2, 1));
    const frame = new VideoFrame(bitmap, { timestamp: 0 });
    try {
      const data = new Uint8Array(8);
      await frame.copyTo(data, { rect: { x: 0, y: 0, width: 2, height: 1 }, format: 'RGBA', colorSpace: 'srgb' } as VideoFrameCopyToOptions);
      return [0, 1, 2, 4, 5, 6].every((i) => data[i] === known[i]);
    } finally {
      frame.close();
      bitmap.close();
    }
  })().catch(() => false);
  return framesChecked;
}

/**
 * The pixels of an opaque bitmap through WebCodecs (`VideoFrame.copyTo` as RGBA): no canvas to
 * draw on and read back, about 0.6× the time of `getImageData` on a 1546×1213 photo here, the same
 * bytes. `null` (use the canvas) where there is no VideoFrame, for a bitmap with alpha (the canvas
 * path keeps the colour under transparent pixels) or whose frame would be rotated (EXIF), for a
 * rectangle too large to copy at once, or when the browser cannot convert (it is then not asked again).
 */
export async function framePixels(bitmap: ImageBitmap, rect?: Rect): Promise<RgbaImage | null> {
  const r = rect ?? { x: 0, y: 0, width: bitmap.width, height: bitmap.height };
  if (!framesWork || r.width * r.height > LARGE_PIXELS || !(bitmap.width > 0 && bitmap.height > 0)) return null;
  let frame: VideoFrame | undefined;
  try {
    if (!(await framesConvert())) {
      framesWork = false;
      return null;
    }
    frame = new VideoFrame(bitmap, { timestamp: 0 });
    if (frame.format !== 'BGRX' && frame.format !== 'RGBX') return null; // alpha, or not RGB
    // An EXIF-oriented bitmap can become a frame of the unrotated pixels with a rotation to apply: the canvas draws it as shown.
    const { rotation, flip } = frame as VideoFrame & { rotation?: number; flip?: boolean };
    if (rotation || flip || frame.codedWidth !== bitmap.width || frame.codedHeight !== bitmap.height) return null;
    const data = new Uint8Array(r.width * r.height * 4);
    await frame.copyTo(data, { rect: r, format: 'RGBA', colorSpace: 'srgb' } as VideoFrameCopyToOptions);
    return { data, width: r.width, height: r.height, window: { ...r, fullWidth: bitmap.width, fullHeight: bitmap.height } };
  } catch {
    framesWork = false;
    return null;
  } finally {
    frame?.close();
  }
}

/**
 * Pixel windows larger than this are read in bands of at most `BAND_PIXELS`, so that a huge photo
 * (say 10000×8000) never has its pixels copied out whole: the resize streams through the bands,
 * with the same result.
 */
const LARGE_PIXELS = 1 << 24; // 16 Mpx: 64 MB of RGBA
const BAND_PIXELS = 1 << 22; // 4 Mpx: 16 MB

/**
 * Reads a bitmap's pixels (all, or the rectangle `rect`): at once, or in bands of rows when the
 * rectangle is larger than `largePixels` (then `data` is empty and `bands.read(k)` reads band k).
 */
export function bitmapPixels(bitmap: ImageBitmap, rect?: Rect, largePixels = LARGE_PIXELS): RgbaImage {
  const { width, height } = bitmap;
  checkSize(width, height, ' (a closed ImageBitmap has no pixels)');
  const r = rect ?? { x: 0, y: 0, width, height };
  const window = { ...r, fullWidth: width, fullHeight: height };
  if (r.width * r.height <= largePixels) return { data: readRect(bitmap, r), width: r.width, height: r.height, window };
  const rows = Math.max(1, Math.floor(Math.min(BAND_PIXELS, largePixels) / r.width));
  const read = (k: number) => {
    const y = k * rows;
    if (bitmap.width === 0) throw invalid('the image was closed while it was being read');
    return readRect(bitmap, { x: r.x, y: r.y + y, width: r.width, height: Math.min(rows, r.height - y) });
  };
  return { data: new Uint8Array(0), width: r.width, height: r.height, window, bands: { rows, read } };
}

/**
 * The pixels of `r`. The 2D canvas path is exact for opaque pixels; where the image has
 * transparency, the colour under the alpha is recovered through WebGL2 (no premultiplication)
 * when available, as Pillow's `convert('RGB')` keeps it.
 */
function readRect(bitmap: ImageBitmap, r: Rect): Uint8Array | Uint8ClampedArray {
  if (!canvas2d) {
    canvas2d = new OffscreenCanvas(1, 1).getContext('2d', { willReadFrequently: true });
    if (!canvas2d) throw invalid('this browser has no 2D OffscreenCanvas to decode images with');
  }
  const cv = canvas2d.canvas;
  if (cv.width !== r.width || cv.height !== r.height) {
    cv.width = r.width;
    cv.height = r.height;
  }
  canvas2d.globalCompositeOperation = 'copy';
  canvas2d.drawImage(bitmap, r.x, r.y, r.width, r.height, 0, 0, r.width, r.height);
  let data: Uint8ClampedArray;
  try {
    data = canvas2d.getImageData(0, 0, r.width, r.height).data;
  } catch (e) {
    canvas2d = null; // tainted for good: the next image gets a fresh canvas
    throw isTaintError(e) ? taintedImage(e) : invalid('could not read the pixels of the image', e);
  }
  for (let i = 3; i < data.length; i += 4) {
    if (data[i] !== 255) return webglPixels(bitmap, r) ?? data;
  }
  return data;
}

function webglPixels(bitmap: ImageBitmap, r: Rect): Uint8Array | null {
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return null;
  try {
    const tex = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, bitmap);
    const fb = gl.createFramebuffer();
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
    if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) return null;
    // The texture's row 0 is the image's top row, so the rectangle reads as is.
    const data = new Uint8Array(r.width * r.height * 4);
    gl.readPixels(r.x, r.y, r.width, r.height, gl.RGBA, gl.UNSIGNED_BYTE, data);
    if (gl.getError() !== gl.NO_ERROR) return null;
    return data;
  } catch {
    return null;
  } finally {
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}
