import { describe, expect, it } from 'vitest';
import {
  MAX_SCALE,
  ZOOM_STEPS,
  clampPan,
  clampScale,
  fitScale,
  fitView,
  formatScale,
  minScale,
  panBy,
  pixelAt,
  stepScale,
  wheelFactor,
  zoomAt,
  zoomCentred,
  type ZoomView,
} from '../../../../src/renderer/src/ui/zoom';

const kitti = { width: 1242, height: 375 };
const pane = { width: 800, height: 600 };

/** Where image point (ix, iy) lands on the pane under a view. */
const toScreen = (view: ZoomView, ix: number, iy: number) => ({ x: view.x + ix * view.scale, y: view.y + iy * view.scale });

describe('fit', () => {
  it('fits the limiting axis and centres the other', () => {
    const view = fitView(pane, kitti);
    expect(view.scale).toBeCloseTo(800 / 1242, 12);
    expect(view.x).toBe(0);
    expect(view.y).toBeCloseTo((600 - 375 * view.scale) / 2, 9);
    // a tall image is limited by height instead
    const tall = fitView(pane, { width: 300, height: 1200 });
    expect(tall.scale).toBe(0.5);
    expect(tall.x).toBe((800 - 150) / 2);
    expect(tall.y).toBe(0);
  });

  it('enlarges a small image to fit, but lets zoom-out stop at 1:1 there', () => {
    expect(fitScale(pane, { width: 100, height: 50 })).toBe(8);
    expect(minScale(pane, { width: 100, height: 50 })).toBe(1);
    expect(minScale(pane, kitti)).toBeCloseTo(800 / 1242, 12);
  });

  it('does not divide by zero before the pane has a size', () => {
    expect(fitScale({ width: 0, height: 0 }, kitti)).toBe(1);
    expect(fitScale(pane, { width: 0, height: 10 })).toBe(1);
  });
});

describe('zoomAt', () => {
  it('keeps the image point under the anchor where it was', () => {
    const start = fitView(pane, kitti);
    const anchor = { x: 123, y: 345 };
    const imagePoint = { x: (anchor.x - start.x) / start.scale, y: (anchor.y - start.y) / start.scale };
    const zoomed = zoomAt(start, 8, anchor, pane, kitti);
    expect(zoomed.scale).toBe(8);
    const back = toScreen(zoomed, imagePoint.x, imagePoint.y);
    expect(back.x).toBeCloseTo(anchor.x, 9);
    expect(back.y).toBeCloseTo(anchor.y, 9);
  });

  it('clamps the scale between fit and the maximum', () => {
    const start = fitView(pane, kitti);
    expect(zoomAt(start, 1000, { x: 10, y: 10 }, pane, kitti).scale).toBe(MAX_SCALE);
    expect(zoomAt(start, 0.01, { x: 10, y: 10 }, pane, kitti)).toEqual(fitView(pane, kitti));
    expect(clampScale(Number.NaN, pane, kitti)).toBeCloseTo(800 / 1242, 12);
  });

  it('zooming in near a corner never shows empty margin inside the image extent', () => {
    const view = zoomAt(fitView(pane, kitti), 4, { x: 1, y: 200 }, pane, kitti);
    expect(view.x).toBeLessThanOrEqual(0);
    expect(view.x + kitti.width * view.scale).toBeGreaterThanOrEqual(pane.width);
    expect(view.y).toBeLessThanOrEqual(0);
    expect(view.y + kitti.height * view.scale).toBeGreaterThanOrEqual(pane.height);
  });

  it('zoomCentred anchors on the middle of the pane', () => {
    const start = fitView(pane, kitti);
    const centreImage = { x: (400 - start.x) / start.scale, y: (300 - start.y) / start.scale };
    const view = zoomCentred(start, 2, pane, kitti);
    const back = toScreen(view, centreImage.x, centreImage.y);
    expect(back.x).toBeCloseTo(400, 9);
    expect(back.y).toBeCloseTo(300, 9);
  });
});

describe('pan', () => {
  it('moves by the drag while the image still covers the pane, then stops at the edge', () => {
    const view: ZoomView = { scale: 8, x: -4000, y: -1000 };
    expect(panBy(view, 60, 40, pane, kitti)).toEqual({ scale: 8, x: -3940, y: -960 });
    const far = panBy(view, 10_000, -10_000, pane, kitti);
    expect(far.x).toBe(0);
    expect(far.y).toBe(600 - 375 * 8);
  });

  it('centres an axis on which the image is smaller than the pane', () => {
    const view = clampPan({ scale: 1, x: 500, y: -900 }, { width: 2000, height: 300 }, kitti);
    expect(view.x).toBe((2000 - 1242) / 2);
    expect(view.y).toBe(300 - 375);
  });
});

describe('steps, wheel and readout', () => {
  it('steps strictly up and down the ladder, from any scale', () => {
    expect(stepScale(1, 1)).toBe(2);
    expect(stepScale(1, -1)).toBe(0.5);
    expect(stepScale(0.64, 1)).toBe(1);
    expect(stepScale(0.64, -1)).toBe(0.5);
    expect(stepScale(4, 1)).toBe(8);
    expect(stepScale(MAX_SCALE, 1)).toBe(MAX_SCALE);
    expect(stepScale(ZOOM_STEPS[0], -1)).toBe(ZOOM_STEPS[0]);
  });

  it('zooms in for a wheel turned away from the user and undoes it turned back', () => {
    expect(wheelFactor(-100)).toBeGreaterThan(1);
    expect(wheelFactor(100)).toBeLessThan(1);
    expect(wheelFactor(-100) * wheelFactor(100)).toBeCloseTo(1, 12);
    expect(wheelFactor(0)).toBe(1);
  });

  it('finds the image pixel under a pane point, and none outside the image', () => {
    const view: ZoomView = { scale: 8, x: -80, y: -16 };
    expect(pixelAt(view, { x: 0, y: 0 }, kitti)).toEqual({ x: 10, y: 2 });
    expect(pixelAt(view, { x: 7.9, y: 7.9 }, kitti)).toEqual({ x: 10, y: 2 });
    expect(pixelAt(view, { x: 8, y: 8 }, kitti)).toEqual({ x: 11, y: 3 });
    expect(pixelAt({ scale: 1, x: 10, y: 10 }, { x: 5, y: 20 }, kitti)).toBeNull();
    expect(pixelAt({ scale: 1, x: 0, y: 0 }, { x: 1242, y: 0 }, kitti)).toBeNull();
  });

  it('prints the scale as a percentage', () => {
    expect(formatScale(8)).toBe('800%');
    expect(formatScale(1)).toBe('100%');
    expect(formatScale(800 / 1242)).toBe('64%');
    expect(formatScale(0.125)).toBe('13%');
    expect(formatScale(0.0625)).toBe('6.3%');
  });
});
