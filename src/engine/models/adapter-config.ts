/**
 * Adapter config schema (defined in src/shared so the renderer can validate edits) and
 * the per-family defaults that auto-detection starts from.
 */
import {
  adapterConfigSchema,
  type AdapterConfig,
  type DecodingConfig,
  type ExtraInput,
  type ModelFamily,
  type OutputRoles,
  type PostprocessingConfig,
  type PreprocessingConfig,
} from '../../shared/adapter';

export {
  adapterConfigSchema,
  decodingSchema,
  END_TO_END_FAMILIES,
  MODEL_FAMILIES,
  modelFamilySchema,
  preprocessingSchema,
  postprocessingSchema,
} from '../../shared/adapter';
export type {
  AdapterConfig,
  DecodingConfig,
  ExtraInput,
  ModelFamily,
  OutputRoles,
  PostprocessingConfig,
  PreprocessingConfig,
} from '../../shared/adapter';

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

const ULTRALYTICS: PreprocessingConfig = {
  resize: 'letterbox',
  align: 'center',
  padValue: 114,
  channelOrder: 'RGB',
  scale: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
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
  yolov5: ULTRALYTICS,
  yolov8: ULTRALYTICS,
  yolov10: ULTRALYTICS,
  // torchvision detection models normalise (ImageNet mean/std) and resize inside the graph;
  // feeding the fixed size stretched makes the in-graph resize a no-op.
  ssd: {
    resize: 'stretch',
    align: 'top-left',
    padValue: 0,
    channelOrder: 'RGB',
    scale: 1 / 255,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  },
  // DETR (facebookresearch / transformers): RGB, ImageNet mean/std, aspect kept, padding bottom-right.
  detr: {
    resize: 'letterbox',
    align: 'top-left',
    padValue: 114,
    channelOrder: 'RGB',
    scale: 1 / 255,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
  },
  // RT-DETR (lyuwenyu, transformers, Ultralytics): plain resize to the input size, RGB / 255.
  rtdetr: {
    resize: 'stretch',
    align: 'top-left',
    padValue: 114,
    channelOrder: 'RGB',
    scale: 1 / 255,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  },
  // TensorRT-style end-to-end exports are mostly YOLO models with an NMS tail.
  'nms-in-graph': ULTRALYTICS,
};

const DECODE_PIXELS_XYXY: DecodingConfig = { boxFormat: 'xyxy', boxUnits: 'pixels', scoreActivation: 'none', backgroundClass: 'none', labelOffset: 0 };

/** How each box-list / query family reads its outputs when the config does not say. */
export const FAMILY_DECODING: Readonly<Partial<Record<ModelFamily, DecodingConfig>>> = {
  yolov10: DECODE_PIXELS_XYXY,
  ssd: DECODE_PIXELS_XYXY,
  'nms-in-graph': DECODE_PIXELS_XYXY,
  detr: { boxFormat: 'cxcywh', boxUnits: 'normalized', scoreActivation: 'softmax', backgroundClass: 'last', labelOffset: 0 },
  rtdetr: { boxFormat: 'cxcywh', boxUnits: 'normalized', scoreActivation: 'sigmoid', backgroundClass: 'none', labelOffset: 0 },
};

export function decodingFor(config: Pick<AdapterConfig, 'family' | 'decoding'>): DecodingConfig {
  const d = config.decoding ?? FAMILY_DECODING[config.family];
  if (!d) throw new Error(`adapter family ${config.family} has no box decoding settings`);
  return d;
}

export interface AdapterExtras {
  strides?: readonly number[];
  decoding?: DecodingConfig;
  outputs?: OutputRoles;
  extraInputs?: ExtraInput[];
  layout?: 'NCHW' | 'CHW';
}

export function defaultAdapterConfig(
  family: ModelFamily,
  input: { name: string; width: number; height: number },
  classNames: string[],
  extras: AdapterExtras | readonly number[] = {},
): AdapterConfig {
  // The old signature took the strides as the fourth argument.
  const x: AdapterExtras = Array.isArray(extras) ? { strides: extras } : (extras as AdapterExtras);
  const config: AdapterConfig = {
    family,
    input: { name: input.name, width: input.width, height: input.height, layout: x.layout ?? 'NCHW' },
    preprocessing: { ...FAMILY_PREPROCESSING[family] },
    postprocessing: { ...EVAL_POSTPROCESSING },
    classNames,
  };
  if (x.strides) config.strides = [...x.strides];
  if (x.decoding) config.decoding = { ...x.decoding };
  if (x.outputs) config.outputs = { ...x.outputs };
  if (x.extraInputs) config.extraInputs = x.extraInputs.map((e) => ({ ...e }));
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

/** COCO category ids (1..90) that the 2017 release does not use. */
const COCO_UNUSED_IDS: ReadonlySet<number> = new Set([12, 26, 29, 30, 45, 66, 68, 69, 71, 83]);

/**
 * The 91-entry list indexed by COCO category id, as torchvision (and DETR) label
 * their outputs: 0 is the background, unused ids are 'N/A'.
 */
export const COCO91_CLASS_NAMES: readonly string[] = (() => {
  const out = ['__background__'];
  let k = 0;
  for (let id = 1; id <= 90; id++) out.push(COCO_UNUSED_IDS.has(id) ? 'N/A' : COCO80_CLASS_NAMES[k++]);
  return out;
})();
