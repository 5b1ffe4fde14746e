/**
 * Any {@link ImageInput} → decoded RGBA pixels (not premultiplied, EXIF orientation applied,
 * no colour-space conversion), ready for `preprocess`.
 */
import { ClassifierError } from './errors.ts';
import { isJpeg, jpegEnding, jpegIsWhole } from './jpeg.ts';
import { sourceRect, type PreprocessParams, type Rect, type RgbaImage } from './preprocess.ts';

/** Everything `classify` accepts. A string is a URL (`http(s):`, `data:`, `blob:` or relative). */
export type ImageInput =
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | ImageBitmap
  | ImageData
  | HTMLVideoElement
  | VideoFrame
  | Blob
  | string;

/** How every input is decoded: not premultiplied, no colour-space conversion, EXIF applied. */
export const BITMAP_OPTIONS: ImageBitmapOptions = {
  premultiplyAlpha: 'none',
  colorSpaceConversion: 'none',
  imageOrientation: 'from-image',
};

function invalid(message: string, cause?: unknown): ClassifierError {
  return new ClassifierError('INVALID_IMAGE', message, cause === undefined ? undefined : { cause });
}

const has = (name: string): boolean => typeof (globalThis as Record<string, unknown>)[name] === 'function';
const isA = <T>(x: unknown, name: string): x is T =>
  has(name) && x instanceof ((globalThis as Record<string, unknown>)[name] as abstract new (...a: never[]) => T);

/**
 * Decodes `input` into RGBA pixels. Rejects with `INVALID_IMAGE` for anything without pixels.
 * With `crop`, only the part that resize + center crop will read is read back (a window).
 */
export async function toPixels(
  input: ImageInput,
  signal?: AbortSignal,
  crop?: Pick<PreprocessParams, 'resizeTo' | 'inputSize' | 'interpolation'>,
): Promise<RgbaImage> {
  if (isA<ImageData>(input, 'ImageData')) {
    checkSize(input.width, input.height);
    return { data: input.data, width: input.width, height: input.height };
  }
  const bitmap = await toBitmap(input, signal);
  const owned = bitmap !== input;
  let image: RgbaImage | undefined;
  try {
    image = bitmapPixels(bitmap, crop && sourceRect(bitmap.width, bitmap.height, crop));
    // A banded image reads from the bitmap as it goes: it is closed by the image's release().
    if (image.bands && owned) return { ...image, release: () => bitmap.close() };
    return image;
  } finally {
    if (owned && !image?.bands) bitmap.close();
  }
}

/**
 * `toPixels` for a list, in order, decoding up to `ahead` images beyond the one being used:
 * the browser decodes off the main thread, so decoding overlaps the caller's work on the
 * previous images. At most `ahead + 1` decoded images are held at once.
 */
export async function* pixelsInOrder(
  inputs: readonly ImageInput[],
  signal?: AbortSignal,
  crop?: Pick<PreprocessParams, 'resizeTo' | 'inputSize' | 'interpolation'>,
  ahead = 2,
): AsyncGenerator<RgbaImage> {
  const pending: Promise<RgbaImage>[] = [];
  const start = (i: number) => {
    const p = toPixels(inputs[i], signal, crop);
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

/** Any input but ImageData → an ImageBitmap (the caller's own bitmap is returned as is). */
export async function toBitmap(input: ImageInput, signal?: AbortSignal): Promise<ImageBitmap> {
  if (typeof input === 'string') return decodeBlob(await fetchImage(input, signal));
  if (isA<Blob>(input, 'Blob')) return decodeBlob(input);
  if (isA<ImageBitmap>(input, 'ImageBitmap')) {
    checkSize(input.width, input.height, ' (a closed ImageBitmap has no pixels)');
    return input;
  }
  if (isA<HTMLImageElement>(input, 'HTMLImageElement')) {
    if (!input.complete || input.naturalWidth === 0) {
      try {
        await input.decode();
      } catch (e) {
        throw invalid(`the <img> (${shortUrl(input.currentSrc || input.src)}) could not be loaded or decoded`, e);
      }
    }
    checkSize(input.naturalWidth, input.naturalHeight);
    return fromSource(input, '<img>');
  }
  const video = videoSource(input);
  if (video) return fromSource(video.source, video.source instanceof VideoFrame ? 'VideoFrame' : '<video>');
  if (isA<HTMLCanvasElement>(input, 'HTMLCanvasElement') || isA<OffscreenCanvas>(input, 'OffscreenCanvas')) {
    checkSize(input.width, input.height);
    return fromSource(input, 'canvas');
  }
  throw new TypeError(
    `classify(image): unsupported image of type ${describe(input)}; expected an HTMLImageElement, ` +
      'HTMLCanvasElement, OffscreenCanvas, ImageBitmap, ImageData, HTMLVideoElement, VideoFrame, Blob or URL string',
  );
}

/** A video input's current frame and size, checked; `null` for anything that is not video. */
function videoSource(input: ImageInput): { source: HTMLVideoElement | VideoFrame; width: number; height: number } | null {
  if (isA<HTMLVideoElement>(input, 'HTMLVideoElement')) {
    if (input.readyState < 2 /* HAVE_CURRENT_DATA */) {
      throw invalid('the <video> has no frame yet: wait for its "loadeddata" event');
    }
    checkSize(input.videoWidth, input.videoHeight);
    return { source: input, width: input.videoWidth, height: input.videoHeight };
  }
  if (isA<VideoFrame>(input, 'VideoFrame')) {
    checkSize(input.displayWidth, input.displayHeight, ' (a closed VideoFrame has no pixels)');
    return { source: input, width: input.displayWidth, height: input.displayHeight };
  }
  return null;
}

/** What the GPU path uploads: a decoded bitmap or raw pixels (as a texture), or a video frame (external texture). */
export type GpuImageSource =
  | { kind: 'bitmap'; bitmap: ImageBitmap; width: number; height: number }
  | { kind: 'pixels'; data: Uint8Array | Uint8ClampedArray; width: number; height: number }
  | { kind: 'video'; source: HTMLVideoElement | VideoFrame; width: number; height: number };

/**
 * Any input → something the GPU can take without a CPU pixel read-back. `release()` frees what
 * this call created (never the caller's own bitmap or frame).
 */
export async function toGpuSource(input: ImageInput, signal?: AbortSignal): Promise<GpuImageSource & { release(): void }> {
  const none = () => undefined;
  if (isA<ImageData>(input, 'ImageData')) {
    checkSize(input.width, input.height);
    return { kind: 'pixels', data: input.data, width: input.width, height: input.height, release: none };
  }
  const video = videoSource(input);
  if (video) return { kind: 'video', ...video, release: none };
  const bitmap = await toBitmap(input, signal);
  return {
    kind: 'bitmap',
    bitmap,
    width: bitmap.width,
    height: bitmap.height,
    release: bitmap === input ? none : () => bitmap.close(),
  };
}

/** The pixels of a source `toGpuSource` made (for images a texture cannot hold), without decoding again. */
export async function gpuSourcePixels(source: GpuImageSource, crop: Pick<PreprocessParams, 'resizeTo' | 'inputSize' | 'interpolation'>): Promise<RgbaImage> {
  if (source.kind === 'pixels') return { data: source.data, width: source.width, height: source.height };
  if (source.kind === 'bitmap') return bitmapPixels(source.bitmap, sourceRect(source.width, source.height, crop));
  return toPixels(source.source, undefined, crop);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  return (x as object).constructor?.name ?? 'object';
}

function shortUrl(url: string): string {
  return url.length > 80 ? `${url.slice(0, 77)}...` : url;
}

function checkSize(width: number, height: number, hint = ''): void {
  if (!(width > 0 && height > 0)) throw invalid(`the image has no pixels (${width}×${height})${hint}`);
}

async function fetchImage(url: string, signal?: AbortSignal): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(url, { signal, mode: 'cors', credentials: 'same-origin' });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw invalid(`could not fetch the image at ${shortUrl(url)} (network error, or a cross-origin server without CORS)`, e);
  }
  if (!res.ok) throw invalid(`could not fetch the image at ${shortUrl(url)}: HTTP ${res.status}`);
  return res.blob();
}

async function decodeBlob(blob: Blob): Promise<ImageBitmap> {
  if (blob.size === 0) throw invalid('the image file is empty (0 bytes)');
  if (await isTruncatedJpeg(blob)) {
    throw invalid(`the file (${blob.type || 'unknown type'}, ${blob.size} bytes) is not a decodable image, or is truncated: a JPEG that ends before its end-of-image marker`);
  }
  try {
    return await createImageBitmap(blob, BITMAP_OPTIONS);
  } catch (e) {
    if (await isSvg(blob)) return decodeSvg(blob);
    throw invalid(`the file (${blob.type || 'unknown type'}, ${blob.size} bytes) is not a decodable image, or is truncated`, e);
  }
}

/** A JPEG cut short (see jpeg.ts). Reads its first bytes and its last 64 KB; the whole file only when the tail has no marker. */
async function isTruncatedJpeg(blob: Blob): Promise<boolean> {
  if (!isJpeg(new Uint8Array(await blob.slice(0, 3).arrayBuffer()))) return false;
  const TAIL = 1 << 16;
  if (blob.size > TAIL) {
    const ending = jpegEnding(new Uint8Array(await blob.slice(blob.size - TAIL).arrayBuffer()));
    if (ending !== 'unknown') return ending === 'truncated';
  }
  return !jpegIsWhole(new Uint8Array(await blob.arrayBuffer()));
}

/** True for an SVG document (by type, or by its first bytes when the type is missing). */
export async function isSvg(blob: Blob): Promise<boolean> {
  if (blob.type === 'image/svg+xml') return true;
  if (blob.type && blob.type !== 'application/octet-stream' && !blob.type.startsWith('text/')) return false;
  const head = (await blob.slice(0, 256).text()).trimStart();
  return head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'));
}

/**
 * createImageBitmap does not take SVG files: they are rendered by an <img>, which only exists on
 * a page's main thread (the worker client decodes SVG there before sending it).
 */
async function decodeSvg(blob: Blob): Promise<ImageBitmap> {
  if (typeof Image === 'undefined') {
    throw invalid('an SVG file cannot be decoded in a worker; pass it as an <img>, or rasterize it on a canvas');
  }
  const url = URL.createObjectURL(blob.type === 'image/svg+xml' ? blob : new Blob([blob], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    try {
      await img.decode();
    } catch (e) {
      throw invalid(`the SVG file (${blob.size} bytes) could not be rendered`, e);
    }
    return await fromSource(img, 'SVG image');
  } finally {
    URL.revokeObjectURL(url);
  }
}

const TAINTED_HINT =
  ': it is cross-origin without CORS (a tainted image cannot be read); serve it with ' +
  'Access-Control-Allow-Origin and set crossOrigin = "anonymous" on the <img> (or <video>) before its src';

/**
 * The error for an image made from a cross-origin source without CORS: it can be drawn but never
 * read (2D canvas), uploaded (WebGPU) or sent to a worker. Those reads are where it is caught, so
 * that readable images pay for no extra check.
 */
export function taintedImage(cause: unknown): ClassifierError {
  return invalid(`could not read the pixels of the image${TAINTED_HINT}`, cause);
}

/** True for the errors a tainted (cross-origin, no CORS) image raises when read or sent. */
export function isTaintError(e: unknown): boolean {
  return e instanceof DOMException && (e.name === 'SecurityError' || (e.name === 'DataCloneError' && /origin-clean/i.test(e.message)));
}

async function fromSource(source: ImageBitmapSource, what: string): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(source, BITMAP_OPTIONS);
  } catch (e) {
    const name = e instanceof DOMException ? e.name : '';
    const svg = name === 'InvalidStateError' && (/SVG/.test(String(e)) || isSvgElement(source));
    const hint =
      name === 'SecurityError'
        ? TAINTED_HINT
        : svg
          ? ': an SVG without width and height has no size to draw at; give its root <svg> width and height attributes'
          : '';
    throw invalid(`could not read the pixels of the ${what}${hint}`, e);
  }
}

/** True for a URL that names an SVG file (`….svg`, or an SVG `data:` URL). */
export function isSvgUrl(url: string): boolean {
  return /^data:image\/svg|\.svg($|[?#])/i.test(url);
}

function isSvgElement(source: ImageBitmapSource): boolean {
  return isA<HTMLImageElement>(source, 'HTMLImageElement') && isSvgUrl(source.currentSrc || source.src);
}

let canvas2d: OffscreenCanvasRenderingContext2D | null = null;

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
