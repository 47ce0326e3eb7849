/**
 * The shape of a COCO instances file as Odra reads it. Loose where real files vary
 * (extra fields are kept as attributes), strict where metrics depend on it.
 */
import { z } from 'zod';

export const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const cocoImageSchema = z
  .object({
    id: z.number().int(),
    file_name: z.string().min(1),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
  })
  .passthrough();

export const cocoAnnotationSchema = z
  .object({
    id: z.number().int(),
    image_id: z.number().int(),
    category_id: z.number().int(),
    bbox: z.array(z.unknown()),
    area: z.number().optional(),
    iscrowd: z.union([z.literal(0), z.literal(1), z.boolean()]).optional(),
  })
  .passthrough();

export const cocoCategorySchema = z
  .object({
    id: z.number().int(),
    name: z.string().min(1),
    supercategory: z.string().nullable().optional(),
    coco_equivalent: z.string().nullable().optional(),
  })
  .passthrough();

export const cocoFileSchema = z
  .object({
    images: z.array(z.unknown()),
    annotations: z.array(z.unknown()),
    categories: z.array(z.unknown()),
  })
  .passthrough();

export type CocoImage = z.infer<typeof cocoImageSchema>;
export type CocoAnnotation = z.infer<typeof cocoAnnotationSchema>;
export type CocoCategory = z.infer<typeof cocoCategorySchema>;


/** One entry of a COCO results list (the detections file pycocotools' loadRes reads). */
export const cocoResultSchema = z.object({
  image_id: z.number().int(),
  category_id: z.number().int(),
  bbox: z.tuple([finite, finite, finite, finite]),
  score: finite,
});
export const cocoResultsSchema = z.array(cocoResultSchema);
