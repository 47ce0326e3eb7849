/**
 * loadRes straight from the bytes of a COCO results file (`[{image_id, category_id,
 * bbox, score, ...}, ...]`), without building one JS object per detection: for the
 * half-million detections of a large evaluation, JSON.parse plus the objects cost
 * several times the evaluation itself.
 *
 * Same result as `loadResults(gt, JSON.parse(text))`, including its errors: the fast
 * path accepts only input it fully understands (valid JSON, the four fields as plain
 * numbers and a 4-number array, images known to the GT) and hands anything else to
 * JSON.parse + loadResults, which then report the problem in the usual words.
 * Numbers are converted exactly: Clinger's fast path (integer mantissa < 2^53 times or
 * divided by an exact power of ten <= 1e22, one correctly rounded operation) and
 * Number() on the literal otherwise; both give the double JSON.parse gives.
 */

import { loadResults, type CocoDetection, type DetectionSet, type GroundTruthIndex } from './cocoeval';

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact doubles up to 1e22

// character codes
const TAB = 9, LF = 10, CR = 13, SPACE = 32, QUOTE = 34, PLUS = 43, COMMA = 44, MINUS = 45, DOT = 46;
const D0 = 48, D9 = 57, COLON = 58, LBRACKET = 91, BACKSLASH = 92, RBRACKET = 93, UPPER_E = 69, LOWER_E = 101;
const LBRACE = 123, RBRACE = 125;

/** Thrown inside the fast path for anything it leaves to JSON.parse. */
class Unsupported extends Error {}

const KEY_IMAGE_ID = bytesOf('image_id');
const KEY_CATEGORY_ID = bytesOf('category_id');
const KEY_BBOX = bytesOf('bbox');
const KEY_SCORE = bytesOf('score');
const IMAGE_ID = 1, CATEGORY_ID = 2, BBOX = 3, SCORE = 4;

function bytesOf(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

// The scanner is a set of functions over (bytes, position) returning the position after
// what they read: plain integers in locals keep V8's optimized code tight.

function skipWs(b: Uint8Array, p: number): number {
  for (;;) {
    const c = b[p];
    if (c === SPACE || c === LF || c === CR || c === TAB) p++;
    else return p;
  }
}

function isDigit(c: number): boolean {
  return c >= D0 && c <= D9;
}

/** End of the last number read by readNumber (a module variable rather than an allocated pair). */
let numberEnd = 0;

/** The JSON number at p, as JSON.parse converts it; its end goes to numberEnd. */
function readNumber(b: Uint8Array, p: number): number {
  const start = p;
  let neg = false;
  if (b[p] === MINUS) {
    neg = true;
    p++;
  }
  let mant = 0;
  let digits = 0;
  let c = b[p];
  if (c === D0) {
    p++;
  } else if (c > D0 && c <= D9) {
    do {
      mant = mant * 10 + (c - D0);
      digits++;
      c = b[++p];
    } while (c >= D0 && c <= D9);
  } else {
    throw new Unsupported();
  }
  let scale = 0;
  if (b[p] === DOT) {
    c = b[++p];
    if (!isDigit(c)) throw new Unsupported();
    do {
      mant = mant * 10 + (c - D0);
      digits++;
      scale--;
      c = b[++p];
    } while (c >= D0 && c <= D9);
  }
  c = b[p];
  if (c === LOWER_E || c === UPPER_E) {
    c = b[++p];
    let eneg = false;
    if (c === PLUS || c === MINUS) {
      eneg = c === MINUS;
      c = b[++p];
    }
    if (!isDigit(c)) throw new Unsupported();
    let ex = 0;
    do {
      if (ex < 100000) ex = ex * 10 + (c - D0);
      c = b[++p];
    } while (c >= D0 && c <= D9);
    scale += eneg ? -ex : ex;
  }
  numberEnd = p;
  // up to 15 digits the accumulation was exact (< 10^15 < 2^53): one correctly rounded
  // operation with an exact power of ten gives the correctly rounded value
  if (digits <= 15 && scale >= -22 && scale <= 22) {
    const v = scale < 0 ? mant / POW10[-scale] : mant * POW10[scale];
    return neg ? -v : v;
  }
  let text = '';
  for (let i = start; i < p; i++) text += String.fromCharCode(b[i]);
  return Number(text);
}

/** p at the opening quote; validates the string and returns the position after the closing quote. */
function skipString(b: Uint8Array, p: number): number {
  if (b[p] !== QUOTE) throw new Unsupported();
  p++;
  for (;;) {
    const c = b[p];
    if (c === QUOTE) return p + 1;
    if (c === undefined || c < 0x20) throw new Unsupported();
    if (c === BACKSLASH) {
      const n = b[p + 1];
      if (n === 0x75 /* u */) {
        for (let k = 2; k < 6; k++) if (!isHex(b[p + k])) throw new Unsupported();
        p += 6;
      } else if (n === QUOTE || n === BACKSLASH || n === 0x2f || n === 0x62 || n === 0x66 || n === 0x6e || n === 0x72 || n === 0x74) {
        p += 2;
      } else {
        throw new Unsupported();
      }
    } else {
      p++;
    }
  }
}

function skipLiteral(b: Uint8Array, p: number, word: string): number {
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word.charCodeAt(i)) throw new Unsupported();
  return p + word.length;
}

/** Validates and skips any JSON value at p. */
function skipValue(b: Uint8Array, p: number, depth: number): number {
  if (depth > 512) throw new Unsupported();
  const c = b[p];
  if (c === QUOTE) return skipString(b, p);
  if (c === LBRACE) {
    p = skipWs(b, p + 1);
    if (b[p] === RBRACE) return p + 1;
    for (;;) {
      p = skipWs(b, skipString(b, p));
      if (b[p] !== COLON) throw new Unsupported();
      p = skipWs(b, skipValue(b, skipWs(b, p + 1), depth + 1));
      if (b[p] !== COMMA) break;
      p = skipWs(b, p + 1);
    }
    if (b[p] !== RBRACE) throw new Unsupported();
    return p + 1;
  }
  if (c === LBRACKET) {
    p = skipWs(b, p + 1);
    if (b[p] === RBRACKET) return p + 1;
    for (;;) {
      p = skipWs(b, skipValue(b, p, depth + 1));
      if (b[p] !== COMMA) break;
      p = skipWs(b, p + 1);
    }
    if (b[p] !== RBRACKET) throw new Unsupported();
    return p + 1;
  }
  if (c === 0x74) return skipLiteral(b, p, 'true');
  if (c === 0x66) return skipLiteral(b, p, 'false');
  if (c === 0x6e) return skipLiteral(b, p, 'null');
  readNumber(b, p);
  return numberEnd;
}

function sameBytes(b: Uint8Array, start: number, end: number, key: Uint8Array): boolean {
  if (end - start !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (b[start + i] !== key[i]) return false;
  return true;
}

/** Which field the key b[start, end) names (0: another one). */
function keyOf(b: Uint8Array, start: number, end: number): number {
  if (sameBytes(b, start, end, KEY_IMAGE_ID)) return IMAGE_ID;
  if (sameBytes(b, start, end, KEY_CATEGORY_ID)) return CATEGORY_ID;
  if (sameBytes(b, start, end, KEY_BBOX)) return BBOX;
  if (sameBytes(b, start, end, KEY_SCORE)) return SCORE;
  // the same key spelled with escapes would be the same key to JSON.parse
  for (let i = start; i < end; i++) if (b[i] === BACKSLASH) throw new Unsupported();
  return 0;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isNumberStart(c: number): boolean {
  return c === MINUS || (c >= D0 && c <= D9);
}

class Columns {
  imageId: Float64Array;
  categoryId: Float64Array;
  box: Float64Array;
  score: Float64Array;
  n = 0;

  constructor(capacity: number) {
    this.imageId = new Float64Array(capacity);
    this.categoryId = new Float64Array(capacity);
    this.box = new Float64Array(4 * capacity);
    this.score = new Float64Array(capacity);
  }

  grow(): void {
    const cap = Math.max(16, 2 * this.imageId.length);
    const grow = (a: Float64Array, len: number): Float64Array => {
      const out = new Float64Array(len);
      out.set(a);
      return out;
    };
    this.imageId = grow(this.imageId, cap);
    this.categoryId = grow(this.categoryId, cap);
    this.box = grow(this.box, 4 * cap);
    this.score = grow(this.score, cap);
  }
}

function parseFast(gt: GroundTruthIndex, b: Uint8Array): DetectionSet {
  // about 80-90 bytes per detection in typical files
  const out = new Columns(Math.max(16, Math.ceil(b.length / 80)));
  let p = skipWs(b, 0);
  if (b[p] !== LBRACKET) throw new Unsupported();
  p = skipWs(b, p + 1);
  if (b[p] === RBRACKET) {
    p++;
  } else {
    for (;;) {
      if (b[p] !== LBRACE) throw new Unsupported();
      p = skipWs(b, p + 1);
      if (out.n === out.imageId.length) out.grow();
      const i = out.n;
      const box = out.box;
      let imageId = NaN;
      let categoryId = NaN;
      let score = NaN;
      let seen = 0;
      if (b[p] !== RBRACE) {
        for (;;) {
          const ks = p + 1;
          p = skipString(b, p);
          const key = keyOf(b, ks, p - 1);
          p = skipWs(b, p);
          if (b[p] !== COLON) throw new Unsupported();
          p = skipWs(b, p + 1);
          if (key === 0) {
            p = skipValue(b, p, 0);
          } else if (key === BBOX) {
            if (b[p] !== LBRACKET) throw new Unsupported();
            p = skipWs(b, p + 1);
            for (let k = 0; k < 4; k++) {
              if (k > 0) {
                if (b[p] !== COMMA) throw new Unsupported();
                p = skipWs(b, p + 1);
              }
              if (!isNumberStart(b[p])) throw new Unsupported();
              const v = readNumber(b, p);
              if (!Number.isFinite(v)) throw new Unsupported();
              box[4 * i + k] = v;
              p = skipWs(b, numberEnd);
            }
            if (b[p] !== RBRACKET) throw new Unsupported();
            p++;
            seen |= 8;
          } else {
            if (!isNumberStart(b[p])) throw new Unsupported();
            const v = readNumber(b, p);
            p = numberEnd;
            if (key === IMAGE_ID) {
              imageId = v;
              seen |= 1;
            } else if (key === CATEGORY_ID) {
              categoryId = v;
              seen |= 2;
            } else {
              score = v;
              seen |= 4;
            }
          }
          p = skipWs(b, p);
          if (b[p] !== COMMA) break;
          p = skipWs(b, p + 1);
        }
      }
      if (b[p] !== RBRACE) throw new Unsupported();
      p++;
      // anything loadResults would reject or report goes to the slow path for its message
      if (seen !== 15 || !Number.isFinite(score) || !Number.isFinite(categoryId) || !gt.imageIds.has(imageId)) {
        throw new Unsupported();
      }
      out.imageId[i] = imageId;
      out.categoryId[i] = categoryId;
      out.score[i] = score;
      out.n = i + 1;
      p = skipWs(b, p);
      if (b[p] !== COMMA) break;
      p = skipWs(b, p + 1);
    }
    if (b[p] !== RBRACKET) throw new Unsupported();
    p++;
  }
  p = skipWs(b, p);
  if (p !== b.length) throw new Unsupported();
  const n = out.n;
  // views, not copies: the spare capacity is a few percent
  const box = out.box.subarray(0, 4 * n);
  const area = new Float64Array(n);
  for (let i = 0; i < n; i++) area[i] = box[4 * i + 2] * box[4 * i + 3];
  return {
    n,
    imageId: out.imageId.subarray(0, n),
    categoryId: out.categoryId.subarray(0, n),
    box,
    area,
    score: out.score.subarray(0, n),
  };
}

/** loadRes from the bytes of a results JSON file (UTF-8, as written by detectors' eval scripts). */
export function loadResultsJson(gt: GroundTruthIndex, bytes: Uint8Array): DetectionSet {
  try {
    return parseFast(gt, bytes);
  } catch (err) {
    if (!(err instanceof Unsupported) && !(err instanceof RangeError)) throw err;
  }
  // ignoreBOM keeps a BOM in the text, so JSON.parse rejects it exactly as it does for readFileSync(f, 'utf8')
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  return loadResults(gt, JSON.parse(text) as CocoDetection[]);
}
