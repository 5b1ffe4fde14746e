/**
 * Whether a JPEG file is whole. Chromium refuses to decode a truncated JPEG; Firefox and WebKit
 * decode what arrived and fill the rest with grey, which would classify without an error. A whole
 * JPEG has an end-of-image marker (FF D9) after its last start-of-scan marker (FF DA): in the
 * entropy-coded data between them every FF byte is followed by 00 or a restart marker, so neither
 * marker can appear by accident there (an EXIF thumbnail's own markers come before the main scan).
 */

/** Whether the first bytes are a JPEG's (start-of-image marker, then another marker). */
export const isJpeg = (bytes: Uint8Array): boolean => bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

/** True unless `bytes` is a JPEG that ends before its end-of-image marker. */
export function jpegIsWhole(bytes: Uint8Array): boolean {
  if (!isJpeg(bytes)) return true;
  for (let i = bytes.length - 2; i >= 2; i--) {
    if (bytes[i] !== 0xff) continue;
    if (bytes[i + 1] === 0xd9) return true; // end of image after the last scan
    if (bytes[i + 1] === 0xda) return false; // a scan that never ended
  }
  return true; // no scan at all: the decoder will say what is wrong
}
