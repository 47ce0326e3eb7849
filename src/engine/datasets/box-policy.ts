/**
 * The one box policy every importer applies, whatever the source format, so the same
 * object drawn in COCO, YOLO, VOC, KITTI or BDD100K lands in the store the same way:
 *   - a box that is not 4 finite numbers, or has w <= 0 or h <= 0, is REJECTED;
 *   - a box lying entirely outside its image is REJECTED;
 *   - a box that crosses the image border is CLIPPED to the image and counted in the
 *     import notes (the importer decides what `area` becomes; see each importer).
 * Boxes are COCO [x, y, w, h] in pixels of the stored image.
 */
export type Box = [number, number, number, number];

export function checkBox(bbox: unknown[], width: number, height: number): { bbox: Box; clipped: boolean } | { problem: string } {
  if (bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return { problem: `bbox ${showBox(bbox)} must be [x, y, w, h] of 4 finite numbers` };
  }
  const [x, y, w, h] = bbox as number[];
  if (w <= 0 || h <= 0) return { problem: `bbox ${showBox(bbox)} has a non-positive width or height` };
  const x1 = Math.max(0, x);
  const y1 = Math.max(0, y);
  const x2 = Math.min(width, x + w);
  const y2 = Math.min(height, y + h);
  if (x2 <= x1 || y2 <= y1) {
    return { problem: `bbox ${showBox(bbox)} lies outside its ${width}x${height} image` };
  }
  const clipped = x1 !== x || y1 !== y || x2 !== x + w || y2 !== y + h;
  return { bbox: clipped ? [x1, y1, x2 - x1, y2 - y1] : [x, y, w, h], clipped };
}

/** JSON.stringify would print 1e999 (parsed as Infinity) as null, hiding what the file says. */
export function showBox(bbox: unknown[]): string {
  return `[${bbox.map((v) => (typeof v === 'number' ? String(v) : JSON.stringify(v))).join(', ')}]`;
}

export function clippedNote(count: number): string[] {
  return count ? [`${count} box(es) crossing the image border were clipped to the image`] : [];
}
