import type { ModelFamily } from '../adapter-config';
import { decodeNmsInGraph, decodeSsd, decodeYolov10 } from './box-list';
import { decodeDetr, decodeRtdetr } from './detr';
import { decodeNanodet } from './nanodet';
import type { Decoder } from './types';
import { decodeYolov5 } from './yolov5';
import { decodeYolov8 } from './yolov8';
import { decodeYolox } from './yolox';

export const DECODERS: Readonly<Record<ModelFamily, Decoder>> = {
  yolox: decodeYolox,
  nanodet: decodeNanodet,
  yolov5: decodeYolov5,
  yolov8: decodeYolov8,
  yolov10: decodeYolov10,
  ssd: decodeSsd,
  detr: decodeDetr,
  rtdetr: decodeRtdetr,
  'nms-in-graph': decodeNmsInGraph,
};

export { decodeDetr, decodeNanodet, decodeNmsInGraph, decodeRtdetr, decodeSsd, decodeYolov10, decodeYolov5, decodeYolov8, decodeYolox };
export type { DecodeContext, Decoder, OutputMap, OutputTensor } from './types';
