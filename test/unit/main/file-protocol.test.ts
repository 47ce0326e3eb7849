import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageHandler, parseImageUrl, type LocatedImage } from '../../../src/main/file-protocol';

describe('parseImageUrl', () => {
  it('reads dataset and image ids, for the image or its thumbnail', () => {
    expect(parseImageUrl('odra-file://dataset/3/image/41')).toEqual({ datasetId: 3, imageId: 41, kind: 'image' });
    expect(parseImageUrl('odra-file://dataset/0/image/-2')).toEqual({ datasetId: 0, imageId: -2, kind: 'image' });
    expect(parseImageUrl('odra-file://dataset/3/thumbnail/41')).toEqual({ datasetId: 3, imageId: 41, kind: 'thumbnail' });
  });

  it('rejects anything else', () => {
    for (const url of [
      'odra-file://dataset/3/image/41/../../etc',
      'odra-file://dataset/3/image/4.5',
      'odra-file://dataset/x/image/1',
      'odra-file://other/3/image/1',
      'odra-file://dataset/3/image/1?path=/etc/passwd',
      'odra-file://dataset:8080/3/image/1',
      'file://dataset/3/image/1',
      'odra-file://dataset/3/image/1%2f..',
      'odra-file://dataset/3/thumbnails/1',
      'odra-file://dataset/3/thumbnail/1/x',
      'nonsense',
    ]) {
      expect(parseImageUrl(url), url).toBeNull();
    }
  });
});

describe('createImageHandler', () => {
  let tmp: string;
  let root: string;
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
  const table = new Map<string, LocatedImage>();
  const appUrl = 'odra-app://app/index.html';
  const handler = createImageHandler(async ({ datasetId, imageId }) => table.get(`${datasetId}/${imageId}`) ?? null, appUrl);
  const get = (url: string, init?: RequestInit): Promise<Response> => handler(new Request(url, init));

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'odra-file-protocol-'));
    root = path.join(tmp, 'dataset');
    await mkdir(path.join(root, 'images'), { recursive: true });
    await writeFile(path.join(root, 'images', 'a.PNG'), png);
    await writeFile(path.join(root, 'images', 'notes.txt'), 'secret');
    await writeFile(path.join(tmp, 'outside.jpg'), png);
    await symlink(path.join(tmp, 'outside.jpg'), path.join(root, 'images', 'escape.jpg'));
    await symlink(path.join(root, 'images', 'notes.txt'), path.join(root, 'images', 'disguised.jpg'));
    await mkdir(path.join(root, 'images', 'dir.jpg'));
    table.set('1/1', { path: path.join(root, 'images', 'a.PNG'), root });
    table.set('1/2', { path: path.join(root, 'images', 'notes.txt'), root });
    table.set('1/3', { path: path.join(root, 'images', 'escape.jpg'), root });
    table.set('1/4', { path: path.join(root, 'images', 'disguised.jpg'), root });
    table.set('1/5', { path: path.join(root, 'images', 'missing.jpg'), root });
    table.set('1/6', { path: path.join(root, 'images', '..', '..', 'outside.jpg'), root });
    table.set('1/7', { path: path.join(root, 'images', 'dir.jpg'), root });
  });

  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('serves a registered image with its content type', async () => {
    const res = await get('odra-file://dataset/1/image/1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(png);
  });

  it('grants CORS to the app origin only', async () => {
    const own = await get('odra-file://dataset/1/image/1', { headers: { Origin: 'odra-app://app' } });
    expect(own.headers.get('access-control-allow-origin')).toBe('odra-app://app');
    const other = await get('odra-file://dataset/1/image/1', { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses non-images, symlinks out of the root, disguised files and traversal', async () => {
    expect((await get('odra-file://dataset/1/image/2')).status).toBe(403);
    expect((await get('odra-file://dataset/1/image/3')).status).toBe(403);
    expect((await get('odra-file://dataset/1/image/4')).status).toBe(403);
    expect((await get('odra-file://dataset/1/image/6')).status).toBe(403);
  });

  it('answers 404 for unknown images, missing files, directories and malformed URLs', async () => {
    expect((await get('odra-file://dataset/9/image/9')).status).toBe(404);
    expect((await get('odra-file://dataset/1/image/5')).status).toBe(404);
    expect((await get('odra-file://dataset/1/image/7')).status).toBe(404);
    expect((await get('odra-file://dataset/1/image/x')).status).toBe(404);
  });

  it('asks the engine for a thumbnail with the request signal and serves it only from the root it names (the cache)', async () => {
    const cache = path.join(tmp, 'thumbnails');
    await mkdir(path.join(cache, 'ab'), { recursive: true });
    const webp = Buffer.from('RIFF\x1a\x00\x00\x00WEBPVP8 ', 'latin1');
    await writeFile(path.join(cache, 'ab', `${'ab'.repeat(32)}.webp`), webp);
    const asked: { kind: string; signal: boolean }[] = [];
    const thumbs = createImageHandler(async (ref, signal) => {
      asked.push({ kind: ref.kind, signal: signal instanceof AbortSignal });
      return { path: path.join(cache, 'ab', `${'ab'.repeat(32)}.webp`), root: cache };
    }, appUrl);
    const res = await thumbs(new Request('odra-file://dataset/1/thumbnail/1'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(webp);
    expect(asked).toEqual([{ kind: 'thumbnail', signal: true }]);
    const escaping = createImageHandler(async () => ({ path: path.join(tmp, 'outside.jpg'), root: cache }), appUrl);
    expect((await escaping(new Request('odra-file://dataset/1/thumbnail/1'))).status).toBe(403);
  });

  it('treats a failing engine lookup as not found and refuses writes', async () => {
    const failing = createImageHandler(() => Promise.reject(new Error('engine down')), appUrl);
    expect((await failing(new Request('odra-file://dataset/1/image/1'))).status).toBe(404);
    expect((await get('odra-file://dataset/1/image/1', { method: 'POST', body: 'x' })).status).toBe(405);
  });
});
