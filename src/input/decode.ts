/**
 * Any {@link ImageInput} → a decoded `ImageBitmap` (not premultiplied, EXIF orientation applied,
 * no colour-space conversion), or what the GPU path uploads without a read-back; and the clear
 * `INVALID_IMAGE` errors of inputs that have no pixels, cannot be fetched or cannot be read.
 */
import { ClassifierError } from '../common/errors.ts';
import { isJpeg, jpegIsWhole } from './jpeg.ts';

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

/** An `INVALID_IMAGE` error. */
export function invalid(message: string, cause?: unknown): ClassifierError {
  return new ClassifierError('INVALID_IMAGE', message, cause === undefined ? undefined : { cause });
}

const has = (name: string): boolean => typeof (globalThis as Record<string, unknown>)[name] === 'function';
/** `x instanceof globalThis[name]`, false where the browser (or Node) has no such class. */
export const isA = <T>(x: unknown, name: string): x is T =>
  has(name) && x instanceof ((globalThis as Record<string, unknown>)[name] as abstract new (...a: never[]) => T);

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

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  return (x as object).constructor?.name ?? 'object';
}

function shortUrl(url: string): string {
  return url.length > 80 ? `${url.slice(0, 77)}...` : url;
}

/** `INVALID_IMAGE` for an image without pixels (0 × 0, a closed bitmap). */
export function checkSize(width: number, height: number, hint = ''): void {
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

/** A JPEG cut short (see jpeg.ts): its segments walked from the start, up to its end-of-image marker. */
async function isTruncatedJpeg(blob: Blob): Promise<boolean> {
  if (!isJpeg(new Uint8Array(await blob.slice(0, 3).arrayBuffer()))) return false;
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
