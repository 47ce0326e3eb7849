import { describe, expect, it } from 'vitest';
import { annotate, MIN_VISIBLE_PIXELS, occlusionLevel } from '../../../src/engine/demo/annotate';
import { Canvas, type Point } from '../../../src/engine/demo/raster';
import type { InstanceRecord } from '../../../src/engine/demo/render-things';

/** Pixel-exact rectangle [x0, x1) x [y0, y1) as a polygon (pixel centres decide coverage). */
function rect(x0: number, y0: number, x1: number, y1: number): Point[] {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}

function paint(canvas: Canvas, points: Point[]): void {
  canvas.fillPolygon(points, (p) => canvas.set(p, 100, 100, 100));
}

describe('demo annotations from the instance layer (COCO conventions)', () => {
  it('an occluded object gets the tight box and pixel count of its visible part, and its occlusion level', () => {
    const canvas = new Canvas(64, 48);
    const instances: InstanceRecord[] = [];
    const far = canvas.beginInstance();
    paint(canvas, rect(10, 10, 30, 30)); // 20 x 20 = 400 px
    canvas.endInstance();
    instances.push({ id: far, category: 'car', crowd: false });
    const near = canvas.beginInstance();
    paint(canvas, rect(20, 5, 40, 40)); // covers x 20..29 of the far one
    canvas.endInstance();
    instances.push({ id: near, category: 'pedestrian', crowd: false });

    const [a, b] = annotate(canvas, instances);
    expect(a).toEqual({ category: 'car', bbox: [10, 10, 10, 20], area: 200, iscrowd: 0, occlusion: 'partly', truncated: false });
    expect(b).toEqual({ category: 'pedestrian', bbox: [20, 5, 20, 35], area: 700, iscrowd: 0, occlusion: 'none', truncated: false });
    // COCO's area is the visible area, never more than the box
    expect(a.area).toBeLessThanOrEqual(a.bbox[2] * a.bbox[3]);
  });

  it('a crowd is one iscrowd region whose box encloses all its members', () => {
    const canvas = new Canvas(64, 48);
    const crowd = canvas.beginInstance();
    paint(canvas, rect(5, 20, 9, 40));
    canvas.resumeInstance(crowd);
    paint(canvas, rect(8, 18, 12, 40)); // overlaps the first member: counted once
    canvas.resumeInstance(crowd);
    paint(canvas, rect(20, 22, 24, 40));
    canvas.endInstance();
    const [c] = annotate(canvas, [{ id: crowd, category: 'pedestrian', crowd: true }]);
    expect(c.iscrowd).toBe(1);
    expect(c.bbox).toEqual([5, 18, 19, 22]);
    expect(c.area).toBe(4 * 20 + 4 * 22 - 20 + 4 * 18); // the shared column counted once
    expect(canvas.fullArea[crowd]).toBe(c.area);
    expect(c.occlusion).toBe('none');
  });

  it('leaves out slivers below the visible-pixel minimum and marks objects cut by the border as truncated', () => {
    const canvas = new Canvas(64, 48);
    const hidden = canvas.beginInstance();
    paint(canvas, rect(10, 10, 20, 20));
    canvas.endInstance();
    const cover = canvas.beginInstance();
    paint(canvas, rect(11, 5, 30, 30)); // leaves a 1 x 10 column of the first: 10 px
    canvas.endInstance();
    const edge = canvas.beginInstance();
    paint(canvas, rect(50, 30, 80, 45)); // runs off the right border
    canvas.endInstance();
    const out = annotate(canvas, [
      { id: hidden, category: 'car', crowd: false },
      { id: cover, category: 'truck', crowd: false },
      { id: edge, category: 'car', crowd: false },
    ]);
    expect(10).toBeLessThan(MIN_VISIBLE_PIXELS);
    expect(out.map((a) => a.category)).toEqual(['truck', 'car']);
    expect(out[1]).toMatchObject({ bbox: [50, 30, 14, 15], area: 14 * 15, truncated: true, occlusion: 'none' });
    expect(out[0].truncated).toBe(false);
  });

  it('occlusion levels follow the stated visible shares', () => {
    expect([1, 0.85, 0.84, 0.4, 0.39, 0].map(occlusionLevel)).toEqual(['none', 'none', 'partly', 'partly', 'heavily', 'heavily']);
  });
});
