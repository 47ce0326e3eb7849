/**
 * COCO's box-size classes by annotation area, as pycocotools' areaRng names them:
 * small < 32², medium 32²..96², large >= 96². pycocotools tests closed intervals
 * ([0, 32²], [32², 96²], [96², 1e10]), so a box of area exactly 32² is both small and
 * medium there; here the classes are half-open ([0, 32²), [32², 96²), [96², ∞)) so each
 * box has exactly one size. The area is the dataset's own `area` field where the source
 * has one (COCO), else the box's w * h (what the importers store).
 */
import type { BoxSize } from './schemas';

export const BOX_SIZES: readonly BoxSize[] = ['small', 'medium', 'large'];

/** [min, max) of each size class in square pixels. */
export const BOX_SIZE_AREA: Readonly<Record<BoxSize, { min: number; max: number }>> = {
  small: { min: 0, max: 32 * 32 },
  medium: { min: 32 * 32, max: 96 * 96 },
  large: { min: 96 * 96, max: Number.POSITIVE_INFINITY },
};

export function boxSizeOf(area: number): BoxSize {
  return area < BOX_SIZE_AREA.small.max ? 'small' : area < BOX_SIZE_AREA.medium.max ? 'medium' : 'large';
}
