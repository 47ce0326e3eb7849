/**
 * Golden values that pin the one seed function (src/engine/corruptions/seed.ts): the
 * seed of every corrupted image an audit, a preview or `odra corrupt` makes. The
 * expected numbers were computed outside Odra (FNV-1a 32 over the UTF-8 key text, in
 * Python: h = 0x811c9dc5; for b in text.encode(): h = ((h ^ b) * 0x01000193) % 2**32).
 * Change them only on purpose: every stored corrupted pixel depends on them.
 */
import { describe, expect, it } from 'vitest';
import { corruptionSeed, fileImageKey, imageKey } from '../../../src/engine/corruptions/seed';

/** coco128_val2017_driving's content hash (shared/fixtures/corruptions/ap_under_reference.json) */
const COCO128 = '389b4ef6e9193c6b7b57a69001f05d479df87dea61920f40265ce82de9b8089f';

describe('image keys', () => {
  it('key a dataset image by content hash and image id', () => {
    expect(imageKey(COCO128, 1)).toBe(`${COCO128}:1`);
    expect(imageKey(COCO128, -7)).toBe(`${COCO128}:-7`);
  });

  it('key a loose file by its base name, whatever the folder or separator', () => {
    expect(fileImageKey('/data/run-1/frame_0001.jpg')).toBe('frame_0001.jpg');
    expect(fileImageKey('C:\\data\\frame_0001.jpg')).toBe('frame_0001.jpg');
    expect(fileImageKey('frame_0001.jpg')).toBe('frame_0001.jpg');
  });
});

describe('corruptionSeed', () => {
  it('equals the golden values', () => {
    expect(corruptionSeed(0, imageKey(COCO128, 1), 'gaussian_noise', 3)).toBe(1147453300);
    expect(corruptionSeed(12345, imageKey(COCO128, 42), 'motion_blur', 5)).toBe(763054482);
    expect(corruptionSeed(0xffffffff, imageKey(COCO128, -7), 'frost', 1)).toBe(1500438794);
    expect(corruptionSeed(7, fileImageKey('/tmp/in/frame_0001.jpg'), 'snow', 2)).toBe(619350815);
  });

  it('changes with each part of what identifies the image', () => {
    const base = corruptionSeed(0, imageKey(COCO128, 1), 'gaussian_noise', 3);
    const variants = [
      corruptionSeed(1, imageKey(COCO128, 1), 'gaussian_noise', 3),
      corruptionSeed(0, imageKey(COCO128, 2), 'gaussian_noise', 3),
      corruptionSeed(0, imageKey(COCO128.replace(/^3/, '4'), 1), 'gaussian_noise', 3),
      corruptionSeed(0, imageKey(COCO128, 1), 'shot_noise', 3),
      corruptionSeed(0, imageKey(COCO128, 1), 'gaussian_noise', 4),
    ];
    expect(new Set([base, ...variants]).size).toBe(6);
  });
});
