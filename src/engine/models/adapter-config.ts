/**
 * Adapter config schema (defined in src/shared so the renderer can validate edits) and
 * the defaults that every family shares: evaluation post-processing, the YOLO strides,
 * Ultralytics' preprocessing, the COCO class-name tables. Each family's own defaults
 * (preprocessing, decoding, input size) are in its module under adapters/.
 */
import type { DecodingConfig, PostprocessingConfig, PreprocessingConfig } from '../../shared/adapter';

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

/**
 * Ultralytics' preprocessing (YOLOv5, YOLOv8/11, YOLOv10, and the end-to-end NMS exports
 * built from them): RGB / 255, centred letterbox, fill 114 (ultralytics/data/augment.py
 * LetterBox). The families' own defaults live in their modules under adapters/.
 */
export const ULTRALYTICS_PREPROCESSING: PreprocessingConfig = {
  resize: 'letterbox',
  align: 'center',
  padValue: 114,
  channelOrder: 'RGB',
  scale: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
};

/** Boxes as xyxy input-canvas pixels with plain scores and 0-based labels: the usual final-box output. */
export const DECODE_PIXELS_XYXY: DecodingConfig = { boxFormat: 'xyxy', boxUnits: 'pixels', scoreActivation: 'none', backgroundClass: 'none', labelOffset: 0 };

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
