/**
 * COCO annotations from the rendered instance layer.
 *
 * Conventions (COCO's, for boxes derived from what is visible):
 *   bbox     the tight box around the instance's VISIBLE pixels, [x, y, w, h] in integer
 *            pixels (a pixel counts when its centre was inside the shape, before blur);
 *   area     the number of visible pixels: COCO's `area` is the visible mask's area, which
 *            is what decides small / medium / large, not the box's w x h;
 *   iscrowd  1 for a crowd region: a dense group of distant pedestrians drawn as one
 *            instance. Its bbox encloses the whole group's visible pixels and its members
 *            are not annotated one by one. Odra (as pycocotools does for bbox evaluation)
 *            treats it as an ignore region: a detection inside it is neither TP nor FP.
 *   occlusion  'none' (>= 85% of the instance's own pixels visible), 'partly' (>= 40%) or
 *            'heavily', from visible / drawn pixels; `truncated` when the instance crosses
 *            the image border. Both are kept as annotation attributes to slice by.
 * An instance with fewer than MIN_VISIBLE_PIXELS visible pixels (a sliver behind another
 * object, a speck on the horizon), or a visible box under 2 x 3 pixels, is not annotated.
 */
import type { Canvas } from './raster';
import type { InstanceRecord } from './render-things';
import type { ObjectClass } from './scene';

export const MIN_VISIBLE_PIXELS = 30;
export const MIN_CROWD_PIXELS = 80;

export type Occlusion = 'none' | 'partly' | 'heavily';

export interface DemoAnnotation {
  category: ObjectClass;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0 | 1;
  occlusion: Occlusion;
  truncated: boolean;
}

export function occlusionLevel(visibleShare: number): Occlusion {
  if (visibleShare >= 0.85) return 'none';
  if (visibleShare >= 0.4) return 'partly';
  return 'heavily';
}

export function annotate(canvas: Canvas, instances: readonly InstanceRecord[]): DemoAnnotation[] {
  const count = canvas.fullArea.length;
  const visible = new Int32Array(count);
  const minX = new Int32Array(count).fill(0x7fffffff);
  const minY = new Int32Array(count).fill(0x7fffffff);
  const maxX = new Int32Array(count).fill(-1);
  const maxY = new Int32Array(count).fill(-1);
  const { width, height, ids } = canvas;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const id = ids[row + x];
      if (id === 0) continue;
      visible[id]++;
      if (x < minX[id]) minX[id] = x;
      if (x > maxX[id]) maxX[id] = x;
      if (y < minY[id]) minY[id] = y;
      if (y > maxY[id]) maxY[id] = y;
    }
  }
  const out: DemoAnnotation[] = [];
  for (const inst of instances) {
    const id = inst.id;
    const v = visible[id];
    if (v < (inst.crowd ? MIN_CROWD_PIXELS : MIN_VISIBLE_PIXELS)) continue;
    const w = maxX[id] - minX[id] + 1;
    const h = maxY[id] - minY[id] + 1;
    if (w < 2 || h < 3) continue;
    const [ex0, ey0, ex1, ey1] = canvas.extent[id];
    out.push({
      category: inst.category,
      bbox: [minX[id], minY[id], w, h],
      area: v,
      iscrowd: inst.crowd ? 1 : 0,
      occlusion: occlusionLevel(v / Math.max(1, canvas.fullArea[id])),
      truncated: ex0 < 0 || ey0 < 0 || ex1 > width || ey1 > height,
    });
  }
  return out;
}
