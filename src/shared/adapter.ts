/**
 * Adapter config: everything Odra needs besides the ONNX file to turn images into
 * detections (preprocessing, decoder family, NMS settings, class names). It is stored
 * with the model and editable in the UI, so it is a plain, validated data shape.
 * Self-contained (imports only zod): the renderer bundles this file too.
 */
import { z } from 'zod';

export const MODEL_FAMILIES = ['yolox', 'nanodet', 'yolov5', 'yolov8'] as const;
export const modelFamilySchema = z.enum(MODEL_FAMILIES);
export type ModelFamily = z.infer<typeof modelFamilySchema>;

const triple = z.tuple([z.number(), z.number(), z.number()]);
const positiveTriple = z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]);

export const adapterInputSchema = z.object({
  name: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  layout: z.literal('NCHW'),
});

export const preprocessingSchema = z.object({
  resize: z.enum(['letterbox', 'stretch']),
  /** where the resized image sits on the canvas (letterbox only) */
  align: z.enum(['top-left', 'center']),
  /** canvas fill, in 0..255 pixel units before scale/mean/std */
  padValue: z.number().min(0).max(255),
  channelOrder: z.enum(['RGB', 'BGR']),
  /** multiplier applied to the 0..255 values first (1 or 1/255 in practice) */
  scale: z.number().positive(),
  /** subtracted after scale, in the model's channel order */
  mean: triple,
  /** divided after the mean, in the model's channel order */
  std: positiveTriple,
});
export type PreprocessingConfig = z.infer<typeof preprocessingSchema>;

export const postprocessingSchema = z.object({
  /** candidates below this score never reach NMS */
  scoreThreshold: z.number().min(0).max(1),
  /** a box is suppressed when its IoU with a kept box is strictly greater than this */
  nmsIou: z.number().min(0).max(1),
  /** true: boxes only suppress boxes of their own class */
  classAware: z.boolean(),
  maxDetections: z.number().int().positive(),
});
export type PostprocessingConfig = z.infer<typeof postprocessingSchema>;

export const adapterConfigSchema = z.object({
  family: modelFamilySchema,
  input: adapterInputSchema,
  preprocessing: preprocessingSchema,
  postprocessing: postprocessingSchema,
  /**
   * Feature-map strides of grid decoders (YOLOX, NanoDet); [8, 16, 32] when absent.
   * Extra to the minimal config because P6 variants (stride 64) exist.
   */
  strides: z.array(z.number().int().positive()).min(1).optional(),
  /** index = the model's class index */
  classNames: z.array(z.string()).min(1),
});
export type AdapterConfig = z.infer<typeof adapterConfigSchema>;
