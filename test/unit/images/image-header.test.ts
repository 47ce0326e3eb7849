import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src/engine/images/decode';
import { probeImage } from '../../../src/engine/images/image-header';
import { sharedPath } from '../../helpers/shared';

const SHARED = ['coco128_val2017_driving', 'coco128_train2017_driving', 'kitti_tiny_2d'].flatMap((d) => {
  const dir = sharedPath('data', 'datasets', d, 'images');
  return readdirSync(dir)
    .sort()
    .map((f) => path.join(dir, f));
});

/** A small picture with some detail, so the encoders write real data. */
async function picture(width: number, height: number): Promise<ReturnType<typeof sharp>> {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
  return sharp(data, { raw: { width, height, channels: 3 } });
}

const cuts = (n: number): number[] => [...new Set([3, 12, 20, Math.floor(n * 0.1), Math.floor(n * 0.5), Math.floor(n * 0.9), n - 40, n - 2, n - 1])].filter((c) => c > 2 && c < n);

describe('probeImage', () => {
  it('reads the size of every shared image as the decoder does, without decoding', async () => {
    for (const file of SHARED) {
      const bytes = readFileSync(file);
      const header = probeImage(bytes);
      const decoded = await sharp(bytes).metadata();
      expect(header, file).toEqual({ format: decoded.format, width: decoded.width, height: decoded.height });
    }
  });

  it('reads PNG (8 and 16 bit, grey, alpha), WebP (lossy, lossless, with alpha) and progressive JPEG sizes', async () => {
    const cases: [string, Buffer][] = [
      ['png', await (await picture(37, 23)).png().toBuffer()],
      ['png', await (await picture(37, 23)).toColourspace('b-w').png().toBuffer()],
      ['png', await (await picture(37, 23)).png({ palette: true }).toBuffer()],
      ['png', await (await picture(37, 23)).ensureAlpha().png().toBuffer()],
      ['png', await (await picture(37, 23)).toColourspace('rgb16').png().toBuffer()],
      ['webp', await (await picture(37, 23)).webp({ quality: 60 }).toBuffer()],
      ['webp', await (await picture(37, 23)).webp({ lossless: true }).toBuffer()],
      ['webp', await (await picture(37, 23)).ensureAlpha(0.5).webp().toBuffer()],
      ['jpeg', await (await picture(37, 23)).jpeg({ progressive: true }).toBuffer()],
    ];
    for (const [format, bytes] of cases) {
      const decoded = await decodeImage(bytes);
      expect(probeImage(bytes), format).toEqual({ format, width: decoded.width, height: decoded.height });
    }
  });

  it('gives the stored size of a JPEG with an EXIF orientation (not applied, as the decoder does)', async () => {
    const bytes = await (await picture(40, 20)).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect((await sharp(bytes).metadata()).orientation).toBe(6);
    const decoded = await decodeImage(bytes);
    expect([decoded.width, decoded.height]).toEqual([40, 20]);
    expect(probeImage(bytes)).toEqual({ format: 'jpeg', width: 40, height: 20 });
  });

  it('finds a JPEG cut anywhere, even right before its last byte, and accepts bytes after its end', () => {
    const bytes = readFileSync(SHARED[0]);
    for (const cut of cuts(bytes.length)) {
      const r = probeImage(bytes.subarray(0, cut));
      expect(r && 'problem' in r ? r.problem : r, `cut at ${cut}`).toMatch(/truncated/);
    }
    expect(probeImage(Buffer.concat([bytes, Buffer.from('trailing padding')]))).toMatchObject({ format: 'jpeg' });
  });

  it('finds a PNG or WebP cut anywhere, and a PNG whose image data has a flipped bit', async () => {
    const png = await (await picture(64, 48)).png({ compressionLevel: 0 }).toBuffer();
    const webp = await (await picture(64, 48)).webp({ quality: 80 }).toBuffer();
    for (const [name, bytes] of [['png', png], ['webp', webp]] as const) {
      for (const cut of cuts(bytes.length).filter((c) => c >= 12)) {
        const r = probeImage(bytes.subarray(0, cut));
        expect(r && 'problem' in r ? r.problem : r, `${name} cut at ${cut}`).toMatch(/truncated|before its header|no image/);
      }
      // cut inside the signature: not recognisably PNG or WebP, so the decoder reports it
      expect(probeImage(bytes.subarray(0, 5))).toBeNull();
    }
    const flipped = Buffer.from(png);
    flipped[Math.floor(flipped.length / 2)] ^= 0x10;
    expect(probeImage(flipped)).toEqual({ problem: expect.stringMatching(/IDAT chunk .* fails its CRC check/) });
  });

  it('leaves other formats and unknown bytes to the decoder (null)', async () => {
    expect(probeImage(await (await picture(8, 8)).tiff().toBuffer())).toBeNull();
    expect(probeImage(Buffer.from('BM this is not a probe format'))).toBeNull();
    expect(probeImage(Buffer.from('plain text named .jpg'))).toBeNull();
    expect(probeImage(Buffer.alloc(0))).toBeNull();
  });
});
