/**
 * What a report reads about an audit: the port between the report (this area, level 3)
 * and where the audit lives (the store's audits, the contract's composition root; a
 * test's fixture audit). Small on purpose: the audit's identity, its canonical JSON, its
 * analysis and provenance, and, for the pictures, the images and each cell's matched
 * detections.
 *
 * Conventions: model indices are the analysis' model order; a condition is the
 * analysis' (corruption, severity); detections are in image pixels, already mapped to the
 * audit's categories with the class map the audit scored with, and matched to the ground
 * truth at one IoU threshold and score threshold (the rules of
 * engine/evaluations/image-matches.ts: COCOeval's at a single threshold).
 */
import type { AuditAnalysis, ConditionRef } from '../../shared/audit-results';
import type { ReportProvenanceInput } from '../../shared/report';

export type Box = [number, number, number, number];

export interface MatchedImage {
  gts: { categoryId: number; bbox: Box; status: 'matched' | 'missed' | 'crowd' | 'ignore-region' | 'excluded' }[];
  detections: { categoryId: number; bbox: Box; score: number; status: 'tp' | 'fp' | 'ignored' }[];
}

export interface ReportImages {
  /** the dataset content hash: with the audit seed, the key of every corrupted image (corruptions/seed.ts) */
  datasetHash: string;
  /** the audit's images, ascending id */
  imageIds: readonly number[];
  /** absolute path of an image file */
  imagePath(imageId: number): string;
  /** GT boxes of the image per category id (scored categories only) */
  gtCounts(imageId: number): ReadonlyMap<number, number>;
  /** model `model`'s detections on the image under `condition`, matched */
  matches(model: number, condition: ConditionRef, imageId: number, thresholds: { iou: number; score: number }): Promise<MatchedImage>;
}

export interface ReportSource {
  audit: { id: number; name: string; createdAt: string | null; seed: number };
  /** the object `odra audit --json` prints for this audit */
  canonical: unknown;
  analysis: AuditAnalysis;
  provenance: ReportProvenanceInput;
  /** null: no pictures (gallery and methodology samples are left out, and the report says so) */
  images: ReportImages | null;
}
