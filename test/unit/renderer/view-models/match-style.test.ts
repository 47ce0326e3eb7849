import { describe, expect, it } from 'vitest';
import { DETECTION_STYLE, drawOrder, GT_STYLE, imagePrecisionRecall, matchCounts, placeLabels } from '../../../../src/renderer/src/view-models/match-style';
import type { ImageMatchesDto } from '../../../../src/shared/schemas';

const box = [0, 0, 1, 1] as [number, number, number, number];
type Det = ImageMatchesDto['detections'][number];
const det = (status: Det['status'], score: number, extra: Partial<Det> = {}): Det => ({
  bbox: box,
  score,
  categoryId: status === 'not-scored' ? null : 1,
  classIndex: 2,
  label: status === 'not-scored' ? 'bus' : 'car',
  status,
  ...extra,
});

describe('match counts', () => {
  it('counts TP, FP, FN (missed GT), ignored and not-scored detections; precision and recall of the image', () => {
    const gt = (id: number, status: ImageMatchesDto['groundTruth'][number]['status']) => ({
      id,
      bbox: box,
      categoryId: 1,
      label: 'Car',
      scoredAs: 'Car',
      iscrowd: status === 'crowd',
      status,
    });
    const c = matchCounts({
      detections: [det('tp', 0.9, { gtId: 1 }), det('fp', 0.8), det('ignored', 0.7, { gtId: 3 }), det('not-scored', 0.6)],
      groundTruth: [gt(1, 'matched'), gt(2, 'missed'), gt(3, 'crowd'), gt(4, 'excluded'), gt(5, 'ignore-region')],
    });
    expect(c).toEqual({ tp: 1, fp: 1, ignored: 1, notScored: 1, fn: 1 });
    expect(imagePrecisionRecall(c)).toEqual({ precision: 0.5, recall: 0.5 });
    expect(imagePrecisionRecall({ tp: 0, fp: 0, fn: 0, ignored: 2, notScored: 3 })).toEqual({ precision: null, recall: null });
  });
});

describe('how matches are drawn', () => {
  it('draws TPs last, so an FP at the same place never covers one; statuses keep score order among themselves', () => {
    const dets = [det('fp', 0.95), det('tp', 0.9), det('not-scored', 0.8), det('ignored', 0.7), det('tp', 0.6), det('fp', 0.5)];
    expect(drawOrder(dets).map((d) => `${d.status} ${d.score}`)).toEqual(['not-scored 0.8', 'ignored 0.7', 'fp 0.95', 'fp 0.5', 'tp 0.9', 'tp 0.6']);
  });

  it('gives every status its own colour or line, and each legend swatch differs from every other', () => {
    const all = [...Object.values(DETECTION_STYLE), ...Object.values(GT_STYLE)];
    const swatches = all.map((s) => `${s.stroke} ${s.swatch}`);
    expect(new Set(swatches).size).toBe(swatches.length);
    const lines = all.map((s) => `${s.stroke} ${s.dash ?? ''} ${s.width}`);
    expect(new Set(lines).size).toBe(lines.length);
    // not scored is greyed, unlike TP and FP
    expect(DETECTION_STYLE['not-scored'].stroke).not.toBe(DETECTION_STYLE.fp.stroke);
    expect(DETECTION_STYLE['not-scored'].label).toContain('not scored');
  });

  it('places an FP label at the same box as a TP label elsewhere: below the box, then inside it', () => {
    const car: [number, number, number, number] = [100, 100, 200, 80];
    const at = placeLabels(
      [
        { key: 'tp', bbox: car, text: 'car 0.90' },
        { key: 'fp', bbox: [102, 101, 200, 80], text: 'car 0.40' },
        { key: 'third', bbox: car, text: 'Van: ignore region' },
      ],
      10,
      375,
    );
    expect(at.get('tp')).toEqual({ x: 102, y: 97 });
    expect(at.get('fp')).toEqual({ x: 104, y: 191 });
    expect(at.get('third')).toEqual({ x: 102, y: 110 });
  });

  it('keeps labels inside the image: a box at the top edge gets its label below', () => {
    const at = placeLabels([{ key: 'a', bbox: [10, 0, 50, 40], text: 'car' }], 12, 375);
    expect(at.get('a')!.y).toBe(52);
  });
});
