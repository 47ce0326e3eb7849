/**
 * How the image view draws a COCO match (evaluations.imageMatches): colour and line
 * per status, the same in the overlay and the legend, and the counts the legend shows.
 */
import type { ImageMatchesDto } from '../../../shared/schemas';

export type DetectionStatus = ImageMatchesDto['detections'][number]['status'];
export type GtStatus = ImageMatchesDto['groundTruth'][number]['status'];

export interface BoxStyle {
  stroke: string;
  dash?: string;
  width: number;
  label: string;
}

export const DETECTION_STYLE: Readonly<Record<DetectionStatus, BoxStyle>> = {
  tp: { stroke: '#22a34a', width: 2, label: 'TP' },
  fp: { stroke: '#e0362c', width: 2, label: 'FP' },
  ignored: { stroke: '#9aa3ad', width: 1.5, dash: '2 3', label: 'ignored (crowd)' },
};

export const GT_STYLE: Readonly<Record<GtStatus, BoxStyle>> = {
  matched: { stroke: '#ffffff', width: 1, dash: '5 3', label: 'GT found' },
  missed: { stroke: '#ff9f1a', width: 2.5, dash: '7 3', label: 'FN (missed GT)' },
  crowd: { stroke: '#9aa3ad', width: 1, dash: '1 3', label: 'crowd region' },
  excluded: { stroke: '#9aa3ad', width: 1, dash: '4 4', label: 'not scored (unmapped)' },
};

export interface MatchCounts {
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
}

export function matchCounts(m: Pick<ImageMatchesDto, 'detections' | 'groundTruth'>): MatchCounts {
  return {
    tp: m.detections.filter((d) => d.status === 'tp').length,
    fp: m.detections.filter((d) => d.status === 'fp').length,
    ignored: m.detections.filter((d) => d.status === 'ignored').length,
    fn: m.groundTruth.filter((g) => g.status === 'missed').length,
  };
}

/** Precision and recall of the image at the chosen thresholds; null where undefined (nothing shown / no GT). */
export function imagePrecisionRecall(c: MatchCounts): { precision: number | null; recall: number | null } {
  const shown = c.tp + c.fp;
  const gt = c.tp + c.fn;
  return { precision: shown > 0 ? c.tp / shown : null, recall: gt > 0 ? c.tp / gt : null };
}
