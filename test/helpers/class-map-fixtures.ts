/** Test data and helpers shared by the unit and integration tests of class mapping. */
import type { ClassMap } from '../../src/shared/schemas';

/** COCO's 80 class names as Ultralytics and YOLOX write them. */
export const COCO80 = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light', 'fire hydrant', 'stop sign',
  'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella',
  'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard',
  'surfboard', 'tennis racket', 'bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed', 'dining table', 'toilet', 'tv',
  'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase',
  'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

/** A map in words, one line per evaluation category: `name: merged <- model classes (ignoring …)`. */
export function inWords(map: ClassMap, categories: readonly { id: number; name: string }[]): string[] {
  const n = (ids: number[]): string => ids.map((id) => categories.find((c) => c.id === id)?.name ?? `#${id}`).join(' + ');
  return map.categories.map(
    (c) => `${c.name}: ${n(c.datasetCategories)} <- ${c.modelClasses.join(', ') || '-'}${c.ignore.length ? ` (ignoring ${n(c.ignore)})` : ''}`,
  );
}
