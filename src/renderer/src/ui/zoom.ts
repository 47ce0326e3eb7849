/**
 * Zoom and pan for the pixel view, as plain math so two panes can share one view and
 * the tests can check it without a DOM. A view maps image pixels to pane pixels:
 * screen = (x, y) + scale * image. Scale 8 means one image pixel covers 8x8 pane pixels.
 */

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface ZoomView {
  scale: number;
  x: number;
  y: number;
}

/** One picture the pixel view can show beside the clean image. */
export interface ZoomItem {
  key: string;
  src: string;
  title: string;
  detail: string;
}

/** Far enough to see single pixels of a 4K frame as large blocks. */
export const MAX_SCALE = 32;

/** The steps the +/- buttons move through (wheel zoom is continuous between them). */
export const ZOOM_STEPS: readonly number[] = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32];

const EPSILON = 1e-6;

function valid(size: Size): boolean {
  return size.width > 0 && size.height > 0 && Number.isFinite(size.width) && Number.isFinite(size.height);
}

/** The scale at which the whole image fits the pane. */
export function fitScale(pane: Size, image: Size): number {
  if (!valid(pane) || !valid(image)) return 1;
  return Math.min(pane.width / image.width, pane.height / image.height);
}

/**
 * Zooming out stops where the image fits (or at 1:1 for an image smaller than the
 * pane): below that nothing more becomes visible.
 */
export function minScale(pane: Size, image: Size): number {
  return Math.min(fitScale(pane, image), 1);
}

export function clampScale(scale: number, pane: Size, image: Size): number {
  const low = minScale(pane, image);
  if (!Number.isFinite(scale)) return low;
  return Math.min(MAX_SCALE, Math.max(low, scale));
}

/**
 * Keeps the image where it can be seen: along an axis where it is smaller than the
 * pane it is centred, where it is larger no empty margin shows at either edge.
 */
export function clampPan(view: ZoomView, pane: Size, image: Size): ZoomView {
  const axis = (offset: number, paneLength: number, imageLength: number): number => {
    const shown = imageLength * view.scale;
    if (shown <= paneLength) return (paneLength - shown) / 2;
    return Math.min(0, Math.max(paneLength - shown, offset));
  };
  return { scale: view.scale, x: axis(view.x, pane.width, image.width), y: axis(view.y, pane.height, image.height) };
}

export function fitView(pane: Size, image: Size): ZoomView {
  return clampPan({ scale: fitScale(pane, image), x: 0, y: 0 }, pane, image);
}

/** Zooms to `scale` keeping the image point under `anchor` (pane coordinates) in place. */
export function zoomAt(view: ZoomView, scale: number, anchor: Point, pane: Size, image: Size): ZoomView {
  const next = clampScale(scale, pane, image);
  const imageX = (anchor.x - view.x) / view.scale;
  const imageY = (anchor.y - view.y) / view.scale;
  return clampPan({ scale: next, x: anchor.x - imageX * next, y: anchor.y - imageY * next }, pane, image);
}

/** Zooms about the centre of the pane (buttons and keys, which have no pointer position). */
export function zoomCentred(view: ZoomView, scale: number, pane: Size, image: Size): ZoomView {
  return zoomAt(view, scale, { x: pane.width / 2, y: pane.height / 2 }, pane, image);
}

export function panBy(view: ZoomView, dx: number, dy: number, pane: Size, image: Size): ZoomView {
  return clampPan({ scale: view.scale, x: view.x + dx, y: view.y + dy }, pane, image);
}

/** The next button step strictly above (direction 1) or below (-1) the current scale. */
export function stepScale(scale: number, direction: 1 | -1): number {
  if (direction > 0) return ZOOM_STEPS.find((s) => s > scale + EPSILON) ?? MAX_SCALE;
  for (let i = ZOOM_STEPS.length - 1; i >= 0; i--) if (ZOOM_STEPS[i] < scale - EPSILON) return ZOOM_STEPS[i];
  return ZOOM_STEPS[0];
}

/** The wheel's zoom factor: smooth for trackpads, about 1.25x per notch of a mouse wheel. */
export function wheelFactor(deltaY: number): number {
  return Math.exp(-deltaY * 0.0022);
}

/** The image pixel under a pane point, or null outside the image. */
export function pixelAt(view: ZoomView, point: Point, image: Size): Point | null {
  const x = Math.floor((point.x - view.x) / view.scale);
  const y = Math.floor((point.y - view.y) / view.scale);
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return null;
  return { x, y };
}

/** "53%", "800%": the scale as the user reads it. */
export function formatScale(scale: number): string {
  const percent = scale * 100;
  return `${percent >= 100 ? Math.round(percent) : Number(percent.toPrecision(2))}%`;
}
