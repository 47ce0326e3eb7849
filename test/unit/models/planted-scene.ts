/**
 * One scene planted in every family's output format: a 96x64 input canvas fed with a
 * 300x100 image (r = 0.32; letterboxed content at y 0..32 top-left, 16..48 centred).
 * Expected boxes were worked out by hand from the letterbox algebra, not by the code
 * under test.
 */
import type { RgbImage } from '../../../src/engine/images/rgb-image';
import type { PlantedBox } from '../../helpers/onnx-builder';

export const INPUT_W = 96;
export const INPUT_H = 64;
export const CLASSES = 3;

export const IMAGE: RgbImage = { width: 300, height: 100, data: new Uint8Array(300 * 100 * 3).fill(90) };

export const PLANTED: (PlantedBox & { level: number })[] = [
  // A: class 1 on stride 16
  { x1: 24, y1: 20, x2: 56, y2: 36, classIndex: 1, score: 0.8, level: 1 },
  // B: class 0 on stride 8
  { x1: 60, y1: 18, x2: 76, y2: 26, classIndex: 0, score: 0.6, level: 0 },
  // C: a shifted copy of A (IoU 0.88) with a lower score: NMS removes it
  { x1: 26, y1: 20, x2: 58, y2: 36, classIndex: 1, score: 0.5, level: 0 },
  // D: class 2 high on the canvas: inside the image when top-left aligned, in the padding when centred
  { x1: 10, y1: 2, x2: 30, y2: 10, classIndex: 2, score: 0.7, level: 0 },
];

export interface Expected {
  classIndex: number;
  score: number;
  bbox: [number, number, number, number];
}

/** original = (canvas - pad) / 0.32, clipped to 300x100 */
export const EXPECTED: Record<'top-left' | 'center', Expected[]> = {
  'top-left': [
    { classIndex: 1, score: 0.8, bbox: [75, 62.5, 100, 37.5] }, // y2 112.5 clipped to 100
    { classIndex: 2, score: 0.7, bbox: [31.25, 6.25, 62.5, 25] },
    { classIndex: 0, score: 0.6, bbox: [187.5, 56.25, 50, 25] },
  ],
  center: [
    { classIndex: 1, score: 0.8, bbox: [75, 12.5, 100, 50] },
    // D falls entirely above the image (y -43.75..-18.75) and is dropped
    { classIndex: 0, score: 0.6, bbox: [187.5, 6.25, 50, 25] },
  ],
};

/**
 * The same scene through models that run their own NMS (or need none): C, the shifted
 * copy of A, is not suppressed. C (26, 20, 58, 36) -> x 81.25..181.25.
 */
export const EXPECTED_NO_NMS: Record<'top-left' | 'center', Expected[]> = {
  'top-left': [
    { classIndex: 1, score: 0.8, bbox: [75, 62.5, 100, 37.5] },
    { classIndex: 2, score: 0.7, bbox: [31.25, 6.25, 62.5, 25] },
    { classIndex: 0, score: 0.6, bbox: [187.5, 56.25, 50, 25] },
    { classIndex: 1, score: 0.5, bbox: [81.25, 62.5, 100, 37.5] },
  ],
  center: [
    { classIndex: 1, score: 0.8, bbox: [75, 12.5, 100, 50] },
    { classIndex: 0, score: 0.6, bbox: [187.5, 6.25, 50, 25] },
    { classIndex: 1, score: 0.5, bbox: [81.25, 12.5, 100, 50] },
  ],
};
