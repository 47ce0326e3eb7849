/**
 * How the image view draws a COCO match (evaluations.imageMatches): colour, line and
 * legend swatch per status, the same in the overlay and the legend; the order boxes
 * are drawn in (a TP is drawn last, so an FP at the same place never hides it); where
 * labels go (each label takes the first free place of: above the box, below it, inside
 * its top edge, so an FP's label does not cover the TP's at the same place); and the
 * counts the pane shows.
 */
import type { ImageMatchesDto } from '../../../shared/schemas';

export type DetectionStatus = ImageMatchesDto['detections'][number]['status'];
export type GtStatus = ImageMatchesDto['groundTruth'][number]['status'];
type Box = readonly [number, number, number, number];

export interface BoxStyle {
  stroke: string;
  dash?: string;
  width: number;
  label: string;
  /** the legend swatch's CSS border style: with the colour, each swatch differs from every other */
  swatch: 'solid' | 'dashed' | 'dotted' | 'double';
}

const REGION = '#b689f5';
const NOT_SCORED = '#c3c9cf';
const EXCLUDED = '#a3acb6';

export const DETECTION_STYLE: Readonly<Record<DetectionStatus, BoxStyle>> = {
  tp: { stroke: '#22a34a', width: 2, label: 'TP', swatch: 'solid' },
  fp: { stroke: '#e0362c', width: 2, label: 'FP', swatch: 'solid' },
  ignored: { stroke: REGION, width: 1.5, dash: '2 3', label: 'ignored (in a crowd or ignore region)', swatch: 'dashed' },
  'not-scored': { stroke: NOT_SCORED, width: 1.5, dash: '6 3', label: 'not scored (class not in the map)', swatch: 'dashed' },
};

export const GT_STYLE: Readonly<Record<GtStatus, BoxStyle>> = {
  matched: { stroke: '#ffffff', width: 1, dash: '5 3', label: 'GT found', swatch: 'dashed' },
  missed: { stroke: '#ff9f1a', width: 2.5, dash: '7 3', label: 'FN (missed GT)', swatch: 'dashed' },
  crowd: { stroke: REGION, width: 1, dash: '1 3', label: 'crowd region', swatch: 'dotted' },
  'ignore-region': { stroke: REGION, width: 1.5, dash: '8 3 1 3', label: 'ignore region (not scored)', swatch: 'double' },
  excluded: { stroke: EXCLUDED, width: 1, dash: '4 4', label: 'GT not scored (unmapped)', swatch: 'dotted' },
};

/** Detections bottom to top: not scored, ignored, FP, then TP on top. */
const DRAW_RANK: Readonly<Record<DetectionStatus, number>> = { 'not-scored': 0, ignored: 1, fp: 2, tp: 3 };

export function drawOrder<T extends { status: DetectionStatus }>(detections: readonly T[]): T[] {
  // stable: within a status the input (score) order stays
  return [...detections].sort((a, b) => DRAW_RANK[a.status] - DRAW_RANK[b.status]);
}

export interface LabelRequest {
  key: string;
  bbox: Box;
  text: string;
}

/**
 * Places labels in the order given (the most important first): each takes the first
 * of above / below / inside-top whose rectangle overlaps no label placed before it and
 * stays in the image, else above. Text width is estimated at 0.6 em per character.
 * Returns the baseline-left point of each label.
 */
export function placeLabels(requests: readonly LabelRequest[], fontSize: number, imageHeight: number): Map<string, { x: number; y: number }> {
  const placed: [number, number, number, number][] = [];
  const out = new Map<string, { x: number; y: number }>();
  const overlaps = (r: [number, number, number, number]): boolean =>
    placed.some((p) => r[0] < p[0] + p[2] && p[0] < r[0] + r[2] && r[1] < p[1] + p[3] && p[1] < r[1] + r[3]);
  for (const q of requests) {
    const [x, y, , h] = q.bbox;
    const width = q.text.length * fontSize * 0.6;
    const lx = x + fontSize * 0.2;
    const baselines = [y - fontSize * 0.3, y + h + fontSize, y + fontSize];
    const rects = baselines.map((b): [number, number, number, number] => [lx, b - fontSize, width, fontSize * 1.2]);
    let pick = rects.findIndex((r) => r[1] >= 0 && r[1] + r[3] <= imageHeight && !overlaps(r));
    if (pick === -1) pick = baselines[0] - fontSize >= 0 ? 0 : 2;
    placed.push(rects[pick]);
    out.set(q.key, { x: lx, y: baselines[pick] });
  }
  return out;
}

export interface MatchCounts {
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
  notScored: number;
}

export function matchCounts(m: Pick<ImageMatchesDto, 'detections' | 'groundTruth'>): MatchCounts {
  return {
    tp: m.detections.filter((d) => d.status === 'tp').length,
    fp: m.detections.filter((d) => d.status === 'fp').length,
    ignored: m.detections.filter((d) => d.status === 'ignored').length,
    notScored: m.detections.filter((d) => d.status === 'not-scored').length,
    fn: m.groundTruth.filter((g) => g.status === 'missed').length,
  };
}

/** Precision and recall of the image at the chosen thresholds; null where undefined (nothing shown / no GT). */
export function imagePrecisionRecall(c: MatchCounts): { precision: number | null; recall: number | null } {
  const shown = c.tp + c.fp;
  const gt = c.tp + c.fn;
  return { precision: shown > 0 ? c.tp / shown : null, recall: gt > 0 ? c.tp / gt : null };
}
