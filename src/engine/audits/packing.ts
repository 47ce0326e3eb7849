/**
 * One unit's raw detections as one packed record (the BLOB of an audit_units row).
 *
 * Raw = what the model's adapter produced after its own NMS, before any class map: box
 * in original-image pixels (COCO x, y, w, h), score, and the model's own class index.
 * The class map is applied when scoring, so a corrected map re-scores without inference.
 *
 * Layout (little-endian, version 1):
 *   u8  version = 1
 *   u32 count n
 *   n x { f32 x, f32 y, f32 w, f32 h, f32 score }     20 bytes each
 *   n x u16 class index                                2 bytes each
 * = 5 + 22 n bytes. Values are stored as float32: the model computed them in float32 and
 * decoders only scale them, so float32 keeps what the model said. Everything downstream
 * (scoring, resume, `--dt-out`, views) reads these stored values, so a resumed or
 * re-scored audit sees exactly the numbers an uninterrupted one saw.
 */

export const PACKING_VERSION = 1;
const HEADER = 5;
const PER_DETECTION = 22;
const MAX_CLASS = 0xffff;

export interface RawDetection {
  bbox: [number, number, number, number];
  score: number;
  classIndex: number;
}

export function packedSize(count: number): number {
  return HEADER + PER_DETECTION * count;
}

export function packDetections(detections: readonly RawDetection[]): Uint8Array {
  const n = detections.length;
  const out = new Uint8Array(packedSize(n));
  const view = new DataView(out.buffer);
  view.setUint8(0, PACKING_VERSION);
  view.setUint32(1, n, true);
  let at = HEADER;
  for (const d of detections) {
    for (let j = 0; j < 4; j++) {
      view.setFloat32(at, d.bbox[j], true);
      at += 4;
    }
    view.setFloat32(at, d.score, true);
    at += 4;
  }
  for (const d of detections) {
    if (!(Number.isInteger(d.classIndex) && d.classIndex >= 0 && d.classIndex <= MAX_CLASS)) {
      throw new RangeError(`class index ${d.classIndex} cannot be stored (0..${MAX_CLASS})`);
    }
    view.setUint16(at, d.classIndex, true);
    at += 2;
  }
  return out;
}

export function unpackDetections(blob: Uint8Array): RawDetection[] {
  if (blob.byteLength < HEADER) throw new Error(`packed detections too short (${blob.byteLength} bytes)`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const version = view.getUint8(0);
  if (version !== PACKING_VERSION) throw new Error(`packed detections of version ${version}; this Odra reads version ${PACKING_VERSION}`);
  const n = view.getUint32(1, true);
  if (blob.byteLength !== packedSize(n)) throw new Error(`packed detections: ${blob.byteLength} bytes for ${n} detections (expected ${packedSize(n)})`);
  const out: RawDetection[] = new Array<RawDetection>(n);
  let at = HEADER;
  for (let i = 0; i < n; i++) {
    const bbox: [number, number, number, number] = [
      view.getFloat32(at, true),
      view.getFloat32(at + 4, true),
      view.getFloat32(at + 8, true),
      view.getFloat32(at + 12, true),
    ];
    out[i] = { bbox, score: view.getFloat32(at + 16, true), classIndex: 0 };
    at += 20;
  }
  for (let i = 0; i < n; i++) {
    out[i].classIndex = view.getUint16(at, true);
    at += 2;
  }
  return out;
}

/** Number of detections in a packed record, without unpacking it. */
export function packedCount(blob: Uint8Array): number {
  return new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(1, true);
}
