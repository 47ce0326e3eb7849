import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeThumbnail, ThumbnailCache, THUMBNAIL_MAX_BYTES, THUMBNAIL_SIDE } from '../../../src/engine/images/thumbnails';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';

const KITTI = sharedPath('data', 'datasets', 'kitti_tiny_2d', 'images');
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

describe('thumbnails', () => {
  let temp: string;
  let sources: string[];

  beforeAll(async () => {
    temp = await makeTempDir('thumbs');
    sources = (await readdir(KITTI)).sort().map((f) => path.join(KITTI, f));
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('are WebP, fit 320 px keeping the aspect ratio, stay under 64 KiB, and keep the stored pixel grid', async () => {
    for (const source of sources.slice(0, 5)) {
      const bytes = await makeThumbnail(source);
      expect(bytes.length).toBeLessThanOrEqual(THUMBNAIL_MAX_BYTES);
      const meta = await sharp(bytes).metadata();
      const full = await sharp(source).metadata();
      expect(meta.format).toBe('webp');
      const scale = Math.min(1, THUMBNAIL_SIDE / Math.max(full.width!, full.height!));
      expect(Math.max(meta.width!, meta.height!)).toBe(Math.min(THUMBNAIL_SIDE, Math.max(full.width!, full.height!)));
      // the short side is the long side's share, to the pixel
      expect(Math.abs(meta.width! - full.width! * scale)).toBeLessThanOrEqual(1);
      expect(Math.abs(meta.height! - full.height! * scale)).toBeLessThanOrEqual(1);
    }
  });

  it('are never enlarged', async () => {
    const small = path.join(temp, 'small.png');
    await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } }).png().toFile(small);
    const meta = await sharp(await makeThumbnail(small)).metadata();
    expect([meta.width, meta.height]).toEqual([40, 30]);
  });

  it('are made once per content hash, under <dir>/<2 hex>/<sha256>.webp, and shared by concurrent requests', async () => {
    const cache = new ThumbnailCache(path.join(temp, 'cache-once'));
    const [a, b] = await Promise.all([cache.get(sources[0], SHA_A), cache.get(sources[0], SHA_A)]);
    expect(a).toBe(b);
    expect(a).toBe(path.join(temp, 'cache-once', 'aa', `${SHA_A}.webp`));
    const first = await stat(a);
    const again = await cache.get(sources[1], SHA_A); // same key: the cached file, not a new one
    expect(again).toBe(a);
    expect((await stat(again)).mtimeMs).toBe(first.mtimeMs);
    expect(await readdir(path.join(temp, 'cache-once', 'aa'))).toEqual([`${SHA_A}.webp`]);
  });

  it('drop a queued job whose only requester aborts, and still make what others wait for', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    /** holds every job until the gate opens, so the queue's state can be looked at */
    class GatedCache extends ThumbnailCache {
      protected override async make(job: { sha256: string; source: string }): Promise<string> {
        await gate;
        return super.make(job);
      }
    }
    const cache = new GatedCache(path.join(temp, 'cache-abort'), 1);
    const busy = cache.get(sources[2], SHA_B); // takes the only slot
    await vi.waitFor(() => expect(cache.pending).toBe(1));
    const controller = new AbortController();
    const dropped = cache.get(sources[3], 'c'.repeat(64), controller.signal);
    await vi.waitFor(() => expect(cache.pending).toBe(2));
    controller.abort();
    await expect(dropped).rejects.toThrow();
    expect(cache.pending).toBe(1);
    open();
    await busy;
    expect(cache.pending).toBe(0);
    await expect(stat(cache.fileFor('c'.repeat(64)))).rejects.toThrow();
    const made = await readFile(cache.fileFor(SHA_B));
    expect((await sharp(made).metadata()).format).toBe('webp');
  });

  it('refuse a key that is not a SHA-256 (no path can be smuggled in)', () => {
    const cache = new ThumbnailCache(path.join(temp, 'cache-key'));
    expect(() => cache.fileFor('../../etc/passwd')).toThrow(/not a SHA-256/);
  });
});
