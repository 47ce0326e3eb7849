/**
 * Adapter config: everything Odra needs besides the ONNX file to turn images into
 * detections (preprocessing, decoder family, NMS settings, class names). It is stored
 * with the model and editable in the UI, so it is a plain, validated data shape.
 * Self-contained (imports only zod): the renderer bundles this file too.
 */
import { z } from 'zod';

/**
 * yolox, nanodet, yolov5, yolov8: raw grid heads, NMS by Odra.
 * yolov10: end-to-end [B, K, 6] (x1, y1, x2, y2, score, class).
 * ssd: torchvision detection export (boxes, scores, labels; no count output).
 * detr: normalized cxcywh boxes + softmax logits whose last class is "no object".
 * rtdetr: normalized cxcywh boxes + sigmoid (focal) logits; also the deploy export
 *   with `orig_target_sizes` input and boxes/scores/labels outputs.
 * nms-in-graph: num_dets + boxes + scores + classes (TensorRT EfficientNMS style).
 */
export const MODEL_FAMILIES = ['yolox', 'nanodet', 'yolov5', 'yolov8', 'yolov10', 'ssd', 'detr', 'rtdetr', 'nms-in-graph'] as const;
export const modelFamilySchema = z.enum(MODEL_FAMILIES);
export type ModelFamily = z.infer<typeof modelFamilySchema>;

/** Families whose graph already removes duplicates: Odra thresholds, sorts and caps, but runs no NMS. */
export const END_TO_END_FAMILIES: readonly ModelFamily[] = ['yolov10', 'ssd', 'detr', 'rtdetr', 'nms-in-graph'];

const triple = z.tuple([z.number(), z.number(), z.number()]);
const positiveTriple = z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]);

export const adapterInputSchema = z.object({
  name: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** CHW: an unbatched [3, H, W] input (torchvision detection exports); one image per run */
  layout: z.enum(['NCHW', 'CHW']),
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

/**
 * How box/score outputs are read by the box-list and query decoders (yolov10, ssd,
 * detr, rtdetr, nms-in-graph). Absent: the family's default.
 */
export const decodingSchema = z.object({
  /** coordinate order of a box: corners, corners y-first (TensorFlow), centre + size, corner + size */
  boxFormat: z.enum(['xyxy', 'yxyx', 'cxcywh', 'xywh']),
  /** pixels of the input canvas, or 0..1 of it (of the image region when a valid-mask input is fed) */
  boxUnits: z.enum(['pixels', 'normalized']),
  /** what turns the score/logit output into probabilities */
  scoreActivation: z.enum(['none', 'sigmoid', 'softmax']),
  /** a logit column that means "no object" and is never a detection (DETR: last) */
  backgroundClass: z.enum(['none', 'first', 'last']),
  /** class index = label output - labelOffset (1 for 1-based labels over a names list without background) */
  labelOffset: z.number().int(),
});
export type DecodingConfig = z.infer<typeof decodingSchema>;

/**
 * Which graph output plays which role, for families with several outputs. Any role
 * left out is found by name and shape at decode time.
 */
export const outputRolesSchema = z
  .object({
    boxes: z.string().min(1),
    scores: z.string().min(1),
    /** integer (or float) class labels */
    classes: z.string().min(1),
    /** detections per image (num_dets) */
    count: z.string().min(1),
    /** per-query class logits (DETR family) */
    logits: z.string().min(1),
    /** one tensor with boxes and per-class scores per query [B, Q, 4 + C] */
    combined: z.string().min(1),
  })
  .partial();
export type OutputRoles = z.infer<typeof outputRolesSchema>;

/** Inputs besides the image that some exports take; Odra fills them per image. */
export const extraInputSchema = z.object({
  name: z.string().min(1),
  /**
   * canvas-size-wh: [B, 2] = (input width, input height) (RT-DETR orig_target_sizes: boxes come out in canvas pixels);
   * canvas-size-hw: [B, 2] = (height, width);
   * valid-mask: [B, H, W] = 1 on image pixels, 0 on letterbox padding (DETR pixel_mask)
   */
  fill: z.enum(['canvas-size-wh', 'canvas-size-hw', 'valid-mask']),
  type: z.enum(['int64', 'int32', 'float32']),
});
export type ExtraInput = z.infer<typeof extraInputSchema>;

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
  decoding: decodingSchema.optional(),
  outputs: outputRolesSchema.optional(),
  extraInputs: z.array(extraInputSchema).optional(),
  /** index = the model's class index */
  classNames: z.array(z.string()).min(1),
});
export type AdapterConfig = z.infer<typeof adapterConfigSchema>;

// ---- the compression fingerprint (src/engine/models/fingerprint.ts) ---------------------

const countsSchema = z.object({ tensors: z.number().int(), elements: z.number().int(), bytes: z.number().int() });

export const modelFingerprintSchema = z.object({
  fileSize: z.number().int(),
  sha256: z.string(),
  /** external data files (relative to the model) and their total size */
  externalData: z.object({ files: z.array(z.string()), bytes: z.number().int() }),
  irVersion: z.number().nullable(),
  /** default-domain opset */
  opset: z.number().nullable(),
  /** every imported opset by domain ('' = ai.onnx) */
  opsets: z.record(z.string(), z.number()),
  producer: z.string().nullable(),
  /** sum of the element counts of all initializers (subgraphs included) */
  parameterCount: z.number().int(),
  initializerCount: z.number().int(),
  /** nodes of the main graph and of every subgraph (If/Loop/Scan bodies) */
  nodeCount: z.number().int(),
  subgraphCount: z.number().int(),
  /** op type -> nodes; ops outside the default domain as `domain.Op` */
  opHistogram: z.record(z.string(), z.number().int()),
  /** Constant nodes and the elements of their tensors (weights some exporters store there) */
  constantNodes: z.object({ count: z.number().int(), elements: z.number().int() }),
  /**
   * Unstructured sparsity over weights: float initializers and integer initializers in
   * a quantized-weight position; a quantized weight is zero when it equals its zero point.
   */
  weights: z.object({ tensors: z.number().int(), elements: z.number().int(), zeros: z.number().int(), zeroShare: z.number() }),
  /** Structured sparsity: output channels of Conv/ConvTranspose/Gemm/MatMul weights that are all zero */
  channels: z.object({
    layers: z.number().int(),
    channels: z.number().int(),
    zeroChannels: z.number().int(),
    zeroShare: z.number(),
    /** layers with at least one all-zero channel */
    prunedLayers: z.array(z.object({ weight: z.string(), op: z.string(), channels: z.number().int(), zeroChannels: z.number().int() })),
  }),
  quantization: z.object({
    /** qdq, qoperator, integer (ConvInteger/MatMulInteger), dynamic, weight-only */
    schemes: z.array(z.string()),
    ops: z.record(z.string(), z.number().int()),
  }),
  /** weights by element type ('float32', 'float16', 'int8', ...) */
  precision: z.record(z.string(), countsSchema),
  /** what the counts could not cover (computed zero points, model-local functions) */
  notes: z.array(z.string()),
});
export type ModelFingerprint = z.infer<typeof modelFingerprintSchema>;
