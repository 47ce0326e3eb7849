/**
 * The adapter families Odra knows, in detection order (a tie in confidence goes to the
 * earlier one). Each family lives in one module (matcher, decoder and defaults
 * together, see family.ts); adding a family is one new module plus its line here.
 *
 * | family       | output signature                                              | defaults (preprocessing; size if open)            | upstream source |
 * |--------------|---------------------------------------------------------------|---------------------------------------------------|-----------------|
 * | yolox        | one [B, N, 5+C], N = grid cells of strides 8/16/32            | BGR 0..255, top-left letterbox, fill 114; 640     | Megvii-BaseDetection/YOLOX tools/export_onnx.py |
 * | nanodet      | cls_pred_stride_s [B, cells, C] + dis_pred_stride_s [B, cells, 4] | BGR, ImageNet mean/std (0..255), centred letterbox, fill 0; 320 | RangiLyu/nanodet tools/export_onnx.py |
 * | yolov5       | one [B, 3 x cells, 5+C], decoded cxcywh pixels + obj + classes | Ultralytics RGB / 255, centred letterbox, fill 114; 640 | ultralytics/yolov5 export.py |
 * | yolov8       | one [B, 4+C, cells], channel-major cxcywh pixels + classes    | Ultralytics; 640                                  | ultralytics/ultralytics `yolo export` (YOLOv8, YOLO11) |
 * | yolov10      | one [B, K, 6] = x1 y1 x2 y2 score class (NMS-free)            | Ultralytics; 640                                  | ultralytics/ultralytics (YOLOv10, THU-MIG) |
 * | ssd          | boxes [K, 4] + scores [K] + labels [K], COCO ids 1..90        | RGB / 255 stretched (graph normalises); 300       | pytorch/vision detection models |
 * | detr         | boxes [B, Q, 4] cxcywh norm. + logits [B, Q, C + 1] (softmax) | RGB, ImageNet mean/std, top-left letterbox; 800   | facebookresearch/detr, transformers DETR |
 * | rtdetr       | boxes + logits [B, Q, C] (sigmoid), or [B, Q, 4 + C], or deploy boxes/scores/labels with orig_target_sizes | RGB / 255 stretched; 640 | lyuwenyu/RT-DETR, transformers, Ultralytics RT-DETR |
 * | nms-in-graph | num_dets [B, 1] + boxes [B, K, 4] + scores + classes [B, K]   | Ultralytics; 640                                  | TensorRT EfficientNMS YOLO end2end exports; TF Object Detection API detection_* |
 *
 * Every family also gets the evaluation post-processing (adapter-config.ts
 * EVAL_POSTPROCESSING); end-to-end families (shared/adapter.ts END_TO_END_FAMILIES)
 * skip NMS.
 */
import type { ModelFamily } from '../adapter-config';
import { DETR } from './detr';
import type { AdapterFamily } from './family';
import { NANODET } from './nanodet';
import { NMS_IN_GRAPH } from './nms-in-graph';
import { RTDETR } from './rtdetr';
import { SSD } from './ssd';
import { YOLOV10 } from './yolov10';
import { YOLOV5 } from './yolov5';
import { YOLOV8 } from './yolov8';
import { YOLOX } from './yolox';

export const ADAPTER_FAMILIES: readonly AdapterFamily[] = [YOLOX, NANODET, YOLOV5, YOLOV8, YOLOV10, SSD, DETR, RTDETR, NMS_IN_GRAPH];

const BY_NAME: ReadonlyMap<ModelFamily, AdapterFamily> = new Map(ADAPTER_FAMILIES.map((f) => [f.family, f]));

/** The family module for a config's family; throws for a name no module claims. */
export function adapterFamily(family: ModelFamily): AdapterFamily {
  const f = BY_NAME.get(family);
  if (!f) throw new Error(`no adapter family module for '${family}'`);
  return f;
}
