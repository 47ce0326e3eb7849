/**
 * An image's size and format from its bytes, without decoding a pixel, and whether the
 * file is whole: what a dataset import needs to know of every image.
 *
 * Input: the file's complete bytes. Output: `{format, width, height}`, a `{problem}`
 * when the file is damaged, or `null` when the format is not one this probe knows (the
 * caller then decodes the file: TIFF, BMP, GIF, anything else).
 *
 * Size: as stored (EXIF orientation is NOT applied, matching images/decode.ts): JPEG
 * from the first SOF marker (every SOF type libjpeg-turbo reads: baseline, extended,
 * progressive, lossless, arithmetic), PNG from IHDR, WebP from the VP8 / VP8L frame
 * header or the VP8X canvas.
 *
 * Wholeness, the structural check that replaces a decode at import:
 *   JPEG  every marker segment before the first scan (SOS) lies inside the file, a SOF
 *         precedes the scan, and an EOI marker (FF D9) follows it. Inside entropy-coded
 *         data FF is always followed by 00 or a restart marker, so a cut anywhere in the
 *         image data loses the only EOI after the scan; bytes after EOI are allowed.
 *   PNG   the chunk chain from IHDR to IEND lies inside the file, every chunk's CRC-32
 *         matches (zlib.crc32; catches flipped bits in the compressed data too) and
 *         there is at least one IDAT.
 *   WebP  the RIFF size fits the file and every chunk lies inside it.
 * Not caught without a decode: damaged entropy-coded JPEG data or a damaged VP8 stream
 * whose framing is intact. Evaluation decodes every image anyway and reports such a
 * file there, naming it; an import stays at the speed of reading the bytes.
 *
 * Sizes above MAX_PIXELS are refused like the decoder refuses them.
 * Sources: ITU-T T.81 (JPEG) B.1.1, Annex B; PNG spec (W3C, 2nd ed.) 5.3-5.6, 11.2;
 * WebP container specification (RIFF, VP8, VP8L, VP8X) and RFC 6386 9.1.
 */
import { crc32 } from 'node:zlib';

export type ProbedFormat = 'jpeg' | 'png' | 'webp';

export interface ImageHeader {
  format: ProbedFormat;
  width: number;
  height: number;
}

/** The decoder's own pixel limit (decode.ts: sharp's limitInputPixels). */
export const MAX_PIXELS = 268_402_689;

export function probeImage(b: Uint8Array): ImageHeader | { problem: string } | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return checked(probeJpeg(b));
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) {
    return checked(probePng(b));
  }
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return checked(probeWebp(b));
  return null;
}

function checked(r: ImageHeader | { problem: string }): ImageHeader | { problem: string } {
  if ('problem' in r) return r;
  if (!(r.width > 0 && r.height > 0)) return { problem: `its ${r.format.toUpperCase()} header gives a size of ${r.width}x${r.height}` };
  if (r.width * r.height > MAX_PIXELS) return { problem: `it is ${r.width}x${r.height}, more pixels than the decoder accepts (${MAX_PIXELS})` };
  return r;
}

function ascii(b: Uint8Array, at: number, n: number): string {
  return String.fromCharCode(...b.subarray(at, at + n));
}

function u16be(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function u32be(b: Uint8Array, at: number): number {
  return ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}

function u32le(b: Uint8Array, at: number): number {
  return ((b[at + 3] << 24) >>> 0) + ((b[at + 2] << 16) | (b[at + 1] << 8) | b[at]);
}

/** SOF0-3, 5-7, 9-11, 13-15 (C4 is DHT, C8 reserved, CC is DAC). */
function isSof(m: number): boolean {
  return m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
}

function probeJpeg(b: Uint8Array): ImageHeader | { problem: string } {
  const n = b.length;
  let p = 2;
  let size: { width: number; height: number } | null = null;
  for (;;) {
    if (p >= n) return { problem: 'the JPEG ends before its image data (truncated)' };
    if (b[p] !== 0xff) return { problem: `the JPEG's marker chain is broken at byte ${p}` };
    while (p < n && b[p] === 0xff) p++; // fill bytes
    if (p >= n) return { problem: 'the JPEG ends before its image data (truncated)' };
    const m = b[p];
    const at = p - 1;
    p++;
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue; // TEM, RSTn: no length
    if (m === 0xd9 || m === 0xd8) return { problem: `the JPEG has an unexpected ${m === 0xd9 ? 'EOI' : 'SOI'} marker before its image data` };
    if (p + 2 > n) return { problem: 'the JPEG ends inside a marker segment (truncated)' };
    const len = u16be(b, p);
    if (len < 2 || p + len > n) return { problem: `the JPEG ends inside a marker segment at byte ${at} (truncated)` };
    if (isSof(m) && !size) {
      if (len < 8) return { problem: `the JPEG's frame header at byte ${at} is too short` };
      size = { height: u16be(b, p + 3), width: u16be(b, p + 5) };
    }
    if (m === 0xda) {
      if (!size) return { problem: 'the JPEG has image data before any frame header (SOF)' };
      if (lastEoi(b) <= p + len) return { problem: 'the JPEG has no end-of-image marker after its image data (truncated)' };
      return { format: 'jpeg', ...size };
    }
    p += len;
  }
}

/** Position of the last FF D9 in the file, -1 when there is none. */
function lastEoi(b: Uint8Array): number {
  for (let i = b.length - 2; i >= 0; i--) {
    if (b[i + 1] === 0xd9 && b[i] === 0xff) return i;
    // most files end in EOI, or in a little padding after it: a long scan is rare
  }
  return -1;
}

function probePng(b: Uint8Array): ImageHeader | { problem: string } {
  const n = b.length;
  let p = 8;
  let size: { width: number; height: number } | null = null;
  let idat = false;
  for (let index = 0; ; index++) {
    if (p + 12 > n) return { problem: `the PNG ends ${index === 0 ? 'before its header' : 'before its IEND chunk'} (truncated)` };
    const len = u32be(b, p);
    const type = ascii(b, p + 4, 4);
    if (len > n - p - 12) return { problem: `the PNG's ${safeType(type)} chunk at byte ${p} runs past the end of the file (truncated)` };
    if (index === 0) {
      if (type !== 'IHDR' || len !== 13) return { problem: 'the PNG does not start with an IHDR chunk' };
      size = { width: u32be(b, p + 8), height: u32be(b, p + 12) };
    }
    const stored = u32be(b, p + 8 + len);
    if (crc32(b.subarray(p + 4, p + 8 + len)) !== stored) return { problem: `the PNG's ${safeType(type)} chunk at byte ${p} fails its CRC check (damaged)` };
    if (type === 'IDAT') idat = true;
    p += 12 + len;
    if (type === 'IEND') break;
  }
  if (!idat || !size) return { problem: 'the PNG has no image data (IDAT)' };
  return { format: 'png', ...size };
}

function safeType(type: string): string {
  return /^[A-Za-z]{4}$/.test(type) ? type : 'a';
}

function probeWebp(b: Uint8Array): ImageHeader | { problem: string } {
  const riffEnd = 8 + u32le(b, 4);
  if (riffEnd > b.length) return { problem: 'the WebP file is shorter than its RIFF header says (truncated)' };
  let p = 12;
  let size: { width: number; height: number } | null = null;
  let frame = false;
  while (p + 8 <= riffEnd) {
    const type = ascii(b, p, 4);
    const len = u32le(b, p + 4);
    const data = p + 8;
    if (len > riffEnd - data) return { problem: `the WebP's ${type.trim()} chunk runs past the end of the file (truncated)` };
    if (type === 'VP8X' && !size && len >= 10) {
      size = { width: 1 + (b[data + 4] | (b[data + 5] << 8) | (b[data + 6] << 16)), height: 1 + (b[data + 7] | (b[data + 8] << 8) | (b[data + 9] << 16)) };
    } else if (type === 'VP8 ' && len >= 10) {
      frame = true;
      if (b[data + 3] !== 0x9d || b[data + 4] !== 0x01 || b[data + 5] !== 0x2a) return { problem: 'the WebP VP8 frame has no start code' };
      size ??= { width: (b[data + 6] | (b[data + 7] << 8)) & 0x3fff, height: (b[data + 8] | (b[data + 9] << 8)) & 0x3fff };
    } else if (type === 'VP8L' && len >= 5) {
      frame = true;
      if (b[data] !== 0x2f) return { problem: 'the WebP VP8L frame has no signature' };
      const bits = u32le(b, data + 1);
      size ??= { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
    } else if (type === 'ANMF') {
      frame = true;
    }
    p = data + len + (len & 1);
  }
  if (!size || !frame) return { problem: 'the WebP file has no image frame' };
  return { format: 'webp', ...size };
}
