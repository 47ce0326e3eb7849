/**
 * Adapter config schema (defined in src/shared so the renderer can validate edits) and
 * the per-family defaults that auto-detection starts from.
 */
import {
  adapterConfigSchema,
  type AdapterConfig,
  type ModelFamily,
  type PostprocessingConfig,
  type PreprocessingConfig,
} from '../../shared/adapter';

export {
  adapterConfigSchema,
  MODEL_FAMILIES,
  modelFamilySchema,
  preprocessingSchema,
  postprocessingSchema,
} from '../../shared/adapter';
export type { AdapterConfig, ModelFamily, PostprocessingConfig, PreprocessingConfig } from '../../shared/adapter';

export const DEFAULT_STRIDES: readonly number[] = [8, 16, 32];

/**
 * Evaluation-mode post-processing: a low threshold keeps the long low-score tail that
 * COCO AP needs; IoU 0.65 and 100 per image are the usual mAP settings.
 */
export const EVAL_POSTPROCESSING: PostprocessingConfig = {
  scoreThreshold: 0.001,
  nmsIou: 0.65,
  classAware: true,
  maxDetections: 100,
};

/** Preprocessing each family was trained with (see each model's MODEL.md for the sources). */
export const FAMILY_PREPROCESSING: Readonly<Record<ModelFamily, PreprocessingConfig>> = {
  // Megvii YOLOX: OpenCV BGR, raw 0..255, letterbox at the top-left corner, fill 114.
  yolox: {
    resize: 'letterbox',
    align: 'top-left',
    padValue: 114,
    channelOrder: 'BGR',
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  },
  // NanoDet v0.x: BGR with ImageNet mean/std in 0..255 units (B, G, R order), centred, fill 0.
  nanodet: {
    resize: 'letterbox',
    align: 'center',
    padValue: 0,
    channelOrder: 'BGR',
    scale: 1,
    mean: [103.53, 116.28, 123.675],
    std: [57.375, 57.12, 58.395],
  },
  // Ultralytics: RGB / 255, centred letterbox, fill 114.
  yolov5: {
    resize: 'letterbox',
    align: 'center',
    padValue: 114,
    channelOrder: 'RGB',
    scale: 1 / 255,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  },
  yolov8: {
    resize: 'letterbox',
    align: 'center',
    padValue: 114,
    channelOrder: 'RGB',
    scale: 1 / 255,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  },
};

export function defaultAdapterConfig(
  family: ModelFamily,
  input: { name: string; width: number; height: number },
  classNames: string[],
  strides?: number[],
): AdapterConfig {
  const config: AdapterConfig = {
    family,
    input: { name: input.name, width: input.width, height: input.height, layout: 'NCHW' },
    preprocessing: { ...FAMILY_PREPROCESSING[family] },
    postprocessing: { ...EVAL_POSTPROCESSING },
    classNames,
  };
  if (strides) config.strides = [...strides];
  return adapterConfigSchema.parse(config);
}

/** COCO-80 class names in the order detectors trained on COCO emit them (index = class). */
export const COCO80_CLASS_NAMES: readonly string[] = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat',
  'traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog',
  'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella',
  'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite',
  'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant',
  'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone',
  'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors',
  'teddy bear', 'hair drier', 'toothbrush',
];
