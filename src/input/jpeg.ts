/**
 * Whether a JPEG file is whole. Chromium refuses to decode a truncated JPEG; Firefox and WebKit
 * decode what arrived and fill the rest with grey, which would classify without an error.
 *
 * The file is walked from its start, segment by segment (each marker's length says where the next
 * one is, so an EXIF thumbnail's own markers are skipped), and through each scan's entropy-coded
 * data (where an FF byte is followed by 00, a restart marker or fill). It is whole when the walk
 * reaches the end-of-image marker (FF D9); whatever follows that marker is not the image's
 * (phones append data there: a motion photo's video) and is not read. It is truncated when the
 * bytes end before that marker. Where the structure is not a JPEG's (a byte that should begin a
 * marker does not), the decoder is left to judge.
 */

/** Whether the first bytes are a JPEG's (start-of-image marker, then another marker). */
export const isJpeg = (bytes: Uint8Array): boolean => bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

/** Markers without a length field: start of image, TEM, restarts (end of image is handled apart). */
const standalone = (code: number) => code === 0xd8 || code === 0x01 || (code >= 0xd0 && code <= 0xd7);

/**
 * How a JPEG ends: `'whole'` when its end-of-image marker is reached, `'truncated'` when the bytes
 * end before it, `'unknown'` when they are not a JPEG or not shaped like one (for the decoder).
 */
export function jpegEnding(bytes: Uint8Array): 'whole' | 'truncated' | 'unknown' {
  if (!isJpeg(bytes)) return 'unknown';
  const n = bytes.length;
  let i = 2;
  for (;;) {
    if (i >= n) return 'truncated';
    if (bytes[i] !== 0xff) return 'unknown';
    while (i < n && bytes[i] === 0xff) i++; // fill bytes before a marker
    if (i >= n) return 'truncated';
    const code = bytes[i++];
    if (code === 0xd9) return 'whole';
    if (standalone(code)) continue;
    if (i + 2 > n) return 'truncated';
    const length = (bytes[i] << 8) | bytes[i + 1];
    if (length < 2) return 'unknown';
    i += length;
    if (i > n) return 'truncated';
    if (code !== 0xda) continue;
    // A scan's entropy-coded data runs to the next marker that is not stuffing (FF 00) or a restart.
    for (;;) {
      const j = bytes.indexOf(0xff, i);
      if (j < 0 || j + 1 >= n) return 'truncated';
      const next = bytes[j + 1];
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) i = j + 2;
      else if (next === 0xff) i = j + 1;
      else {
        i = j;
        break;
      }
    }
  }
}

/** True unless `bytes` is a JPEG that ends before its end-of-image marker. */
export function jpegIsWhole(bytes: Uint8Array): boolean {
  return jpegEnding(bytes) !== 'truncated';
}
