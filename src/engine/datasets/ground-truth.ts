import type { CategoryDto } from '../../shared/schemas';

/** A stored dataset in the evaluator's terms (COCO field names for annotations). */
export interface GroundTruth {
  datasetId: number;
  name: string;
  contentHash: string;
  imageRoot: string;
  images: { id: number; fileName: string; width: number; height: number }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    bbox: [number, number, number, number];
    area: number;
    iscrowd: 0 | 1;
  }[];
  categories: CategoryDto[];
}
