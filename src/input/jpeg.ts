/**
 * Whether a JPEG file is whole. Chromium refuses to decode a truncated JPEG; Firefox and WebKit
 * decode what arrived and fill the rest with grey, which would classify without an error. A whole
 * JPEG has an end-of-image marker (FF D9) after its last start-of-scan marker (FF DA): in the
 * entropy-coded data between them every FF byte is followed by 00 or a restart marker, so neither
 * marker can appear by accident there (an EXIF thumbnail's own markers come before the main scan).
 */

/** Whether the first bytes are a JPEG's (start-of-image marker, then another marker). */
export const isJpeg = (bytes: Uint8Array): boolean => bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

/**
 * Reads a JPEG's last bytes backwards: `'whole'` at an end-of-image marker, `'truncated'` at a
 * start-of-scan marker, `'unknown'` when `tail` holds neither (look at more of the file).
 */
export function jpegEnding(tail: Uint8Array): 'whole' | 'truncated' | 'unknown' {
  for (let i = tail.length - 2; i >= 0; i--) {
    if (tail[i] !== 0xff) continue;
    if (tail[i + 1] === 0xd9) return 'whole';
    if (tail[i + 1] === 0xda) return 'truncated';
  }
  return 'unknown';
}

/** True unless `bytes` is a JPEG that ends before its end-of-image marker. */
export function jpegIsWhole(bytes: Uint8Array): boolean {
  return !isJpeg(bytes) || jpegEnding(bytes.subarray(2)) !== 'truncated'; // no scan at all: the decoder will say
}
