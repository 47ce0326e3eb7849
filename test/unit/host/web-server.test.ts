import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import WebSocket from 'ws';
import { Engine } from '../../../src/engine/engine';
import { startWebServer, type RunningServer } from '../../../src/engine/host/web-server';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { contract, responseMessageSchema } from '../../../src/shared/contract';
import { closed, frame, rawWebSocket } from '../../helpers/raw-websocket';
import { linkImageOutside, makeGoodDataset, makeTempDir, removeDir, type CocoJson } from '../../helpers/broken-datasets';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw GET: the path is sent exactly as given (no normalisation by a URL class). */
function get(port: number, rawPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** 'open' when the WebSocket handshake succeeds, else the HTTP status the server answered with. */
function handshake(url: string, options: WebSocket.ClientOptions = {}): Promise<'open' | number | string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? -1);
      ws.terminate();
    });
    ws.on('error', (err) => resolve(err.message));
  });
}

function connectOutcome(host: string, port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('browser-mode web server', () => {
  let temp: string;
  let rendererDir: string;
  let engine: Engine;
  let server: RunningServer;
  let good: { id: number; dir: string; json: CocoJson };
  let linked: { id: number; imageId: number; otherImageId: number };
  const SECRET = 'odra-test-secret-outside-the-renderer';
  const INDEX = '<!doctype html><title>odra test renderer</title>';

  const host = (): string => `127.0.0.1:${server.port}`;
  const filesUrl = (datasetId: number, imageId: number, token = server.token): string =>
    `/files/datasets/${datasetId}/images/${imageId}?token=${encodeURIComponent(token)}`;

  beforeAll(async () => {
    temp = await makeTempDir('web');
    rendererDir = path.join(temp, 'renderer');
    await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
    await writeFile(path.join(rendererDir, 'index.html'), INDEX);
    await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app");');
    // a file next to the renderer folder that no URL may reach
    await writeFile(path.join(temp, 'secret.txt'), SECRET);

    engine = new Engine({ dbPath: ':memory:' });
    const client = inProcessClient(engine);
    const goodDir = path.join(temp, 'good');
    const json = await makeGoodDataset(goodDir, 2);
    good = { id: (await client.call('datasets.import', { dir: goodDir })).id, dir: goodDir, json };

    // an image swapped for a link leaving the folder after import (the import itself refuses such links)
    const linkedDir = path.join(temp, 'linked');
    const linkedJson = await makeGoodDataset(linkedDir, 4);
    const ds = await client.call('datasets.import', { dir: linkedDir, name: 'linked' });
    await linkImageOutside(linkedDir, linkedJson.images[0].file_name, path.join(temp, 'elsewhere'));
    linked = { id: ds.id, imageId: linkedJson.images[0].id, otherImageId: linkedJson.images[1].id };

    server = await startWebServer(engine, { port: 0, rendererDir });
  });
  afterAll(async () => {
    await server?.close();
    await engine?.close();
    await removeDir(temp);
  });

  it('the symlinked dataset is its own dataset (import reads through the link)', () => {
    expect(linked.id).not.toBe(good.id);
    expect(engine.datasets.get(linked.id).root).toBe(path.join(temp, 'linked'));
  });

  describe('network exposure', () => {
    it('listens on 127.0.0.1 only', async () => {
      expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=`));
      expect(await connectOutcome('127.0.0.1', server.port)).toBe('connected');
      expect(await connectOutcome('::1', server.port)).not.toBe('connected');
      const external = Object.values(os.networkInterfaces())
        .flat()
        .filter((a): a is os.NetworkInterfaceInfo => a !== undefined && !a.internal && a.family === 'IPv4');
      for (const a of external) expect(await connectOutcome(a.address, server.port)).not.toBe('connected');
    });

    it('uses a long random token', () => {
      expect(server.token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    });

    it('refuses HTTP requests whose Host is not the loopback address (DNS rebinding)', async () => {
      const reply = await get(server.port, '/', { Host: `evil.example:${server.port}` });
      expect(reply.status).toBe(421);
      expect(reply.body.toString()).not.toContain(INDEX);
      expect((await get(server.port, '/', { Host: `localhost:${server.port}` })).status).toBe(200);
    });

    it('allows only GET and HEAD', async () => {
      expect((await get(server.port, '/', {}, 'POST')).status).toBe(405);
      expect((await get(server.port, filesUrl(good.id, good.json.images[0].id), {}, 'DELETE')).status).toBe(405);
      expect((await get(server.port, '/', {}, 'HEAD')).status).toBe(200);
    });
  });

  describe('WebSocket /rpc', () => {
    const wsUrl = (token: string | null, pathname = '/rpc'): string =>
      `ws://127.0.0.1:${server.port}${pathname}${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;

    it('refuses a connection without the token, with a wrong token, a wrong Origin, a wrong Host or on another path', async () => {
      expect(await handshake(wsUrl(null))).toBe(403);
      expect(await handshake(wsUrl(''))).toBe(403);
      expect(await handshake(wsUrl(`${server.token.slice(0, -1)}x`))).toBe(403);
      expect(await handshake(wsUrl(`${server.token}x`))).toBe(403);
      expect(await handshake(wsUrl(server.token), { origin: 'http://evil.example' })).toBe(403);
      expect(await handshake(wsUrl(server.token), { origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
      expect(await handshake(wsUrl(server.token), { headers: { Host: `evil.example:${server.port}` } })).toBe(403);
      expect(await handshake(wsUrl(server.token, '/other'))).toBe(403);
    });

    it('accepts the token (with or without this server as Origin) and answers the contract', async () => {
      expect(await handshake(wsUrl(server.token), { origin: `http://127.0.0.1:${server.port}` })).toBe('open');
      const ws = new WebSocket(wsUrl(server.token));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const replies: unknown[] = [];
      let arrived: () => void = () => undefined;
      const waitFor = (n: number): Promise<void> =>
        new Promise((resolve) => {
          arrived = () => {
            if (replies.length >= n) resolve();
          };
          arrived();
        });
      ws.on('message', (data) => {
        replies.push(JSON.parse(String(data)));
        arrived();
      });
      ws.send(JSON.stringify({ type: 'request', id: 'info', method: 'system.info', input: {} }));
      ws.send(JSON.stringify({ type: 'request', id: 'path', method: 'datasets.imagePath', input: { datasetId: good.id, imageId: good.json.images[0].id } }));
      ws.send('this is not JSON');
      await waitFor(3);
      ws.close();

      const byId = new Map(replies.map((r) => responseMessageSchema.parse(r)).map((r) => [r.id, r]));
      const info = byId.get('info');
      expect(info?.ok).toBe(true);
      if (info?.ok) expect(contract['system.info'].output.parse(info.output).executionProviders).toContain('cpu');
      // a browser connection is never privileged
      expect(byId.get('path')).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(/not available/) } });
      expect(byId.get('?')).toMatchObject({ ok: false, error: { message: 'malformed message' } });
    });
    it('a malformed frame closes that connection only; the server keeps answering', async () => {
      const closeCode = (code: number): Buffer => Buffer.from([code >> 8, code & 0xff]);
      const malformed: [string, Buffer][] = [
        ['unmasked frame', frame(0x1, Buffer.from('{}'), false)],
        ['invalid UTF-8 text', frame(0x1, Buffer.from([0xff, 0xfe, 0xfd]))],
        ['reserved opcode', frame(0x3, Buffer.from('x'))],
        ['invalid close code', frame(0x8, closeCode(999))],
        ['over the size limit', frame(0x1, Buffer.alloc(16), true, 64 * 1024 * 1024)],
      ];
      for (const [what, bytes] of malformed) {
        const socket = await rawWebSocket(server.port, server.token);
        const bystander = await rawWebSocket(server.port, server.token);
        socket.write(bytes);
        await closed(socket);
        expect(bystander.destroyed, what).toBe(false);
        bystander.destroy();
        expect(await handshake(wsUrl(server.token)), what).toBe('open');
      }
    });
  });

  describe('/files/datasets/<id>/images/<imageId>', () => {
    it('requires the token', async () => {
      const im = good.json.images[0];
      expect((await get(server.port, `/files/datasets/${good.id}/images/${im.id}`)).status).toBe(403);
      expect((await get(server.port, filesUrl(good.id, im.id, 'wrong-token'))).status).toBe(403);
    });

    it('serves a registered image byte for byte with its content type', async () => {
      const im = good.json.images[1];
      const reply = await get(server.port, filesUrl(good.id, im.id));
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('image/jpeg');
      expect(reply.body.equals(readFileSync(path.join(good.dir, 'images', im.file_name)))).toBe(true);
    });

    it('answers 404 for an unknown dataset or image', async () => {
      expect((await get(server.port, filesUrl(987, good.json.images[0].id))).status).toBe(404);
      expect((await get(server.port, filesUrl(good.id, 123456789))).status).toBe(404);
      expect((await get(server.port, filesUrl(good.id, -1))).status).toBe(404);
    });

    it('refuses an image whose real path lies outside the dataset root (symlink), serving its sibling', async () => {
      const refused = await get(server.port, filesUrl(linked.id, linked.imageId));
      expect(refused.status).toBe(404);
      expect(refused.headers['content-type']).not.toMatch(/^image\//);
      expect(refused.body.length).toBeLessThan(100);
      expect((await get(server.port, filesUrl(linked.id, linked.otherImageId))).status).toBe(200);
    });
  });

  describe('/files/datasets/<id>/thumbnails/<imageId>', () => {
    const thumbUrl = (datasetId: number, imageId: number, token = server.token): string =>
      `/files/datasets/${datasetId}/thumbnails/${imageId}?token=${encodeURIComponent(token)}`;

    it('requires the token', async () => {
      const im = good.json.images[0];
      expect((await get(server.port, `/files/datasets/${good.id}/thumbnails/${im.id}`)).status).toBe(403);
      expect((await get(server.port, thumbUrl(good.id, im.id, 'wrong-token'))).status).toBe(403);
    });

    it('serves a WebP of at most 320 px and 64 KiB with the image proportions, made once and kept beside nothing but the cache', async () => {
      const im = good.json.images[0];
      const reply = await get(server.port, thumbUrl(good.id, im.id));
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('image/webp');
      expect(reply.body.length).toBeLessThanOrEqual(64 * 1024);
      const meta = await sharp(reply.body).metadata();
      expect(meta.format).toBe('webp');
      expect(Math.max(meta.width!, meta.height!)).toBe(320);
      expect(Math.abs(meta.width! / meta.height! - im.width / im.height)).toBeLessThan(0.02);
      const again = await get(server.port, thumbUrl(good.id, im.id));
      expect(again.body.equals(reply.body)).toBe(true);
    });

    it('answers 404 for an unknown image and refuses the symlink that leaves the dataset root', async () => {
      expect((await get(server.port, thumbUrl(good.id, 123456789))).status).toBe(404);
      expect((await get(server.port, thumbUrl(987, good.json.images[0].id))).status).toBe(404);
      const refused = await get(server.port, thumbUrl(linked.id, linked.imageId));
      expect(refused.status).toBe(404);
      expect(refused.headers['content-type']).not.toMatch(/^image\//);
      expect((await get(server.port, thumbUrl(linked.id, linked.otherImageId))).status).toBe(200);
    });
  });

  describe('static files', () => {
    it('serves the renderer and falls back to index.html for client-side routes', async () => {
      const index = await get(server.port, '/');
      expect(index.status).toBe(200);
      expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(index.body.toString()).toBe(INDEX);
      const js = await get(server.port, '/assets/app.js');
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(js.body.toString()).toBe('console.log("app");');
      expect((await get(server.port, '/audits/3/heatmap')).body.toString()).toBe(INDEX);
    });

    it.each([
      '/../secret.txt',
      '/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/./.././secret.txt',
      '//../secret.txt',
      `/${'../'.repeat(12)}etc/passwd`,
      '/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
    ])('never escapes the renderer folder: %s', async (rawPath) => {
      const reply = await get(server.port, rawPath, { Host: host() });
      const body = reply.body.toString();
      expect(body).not.toContain(SECRET);
      expect(body).not.toMatch(/root:.*:0:0:/);
      expect([200, 404]).toContain(reply.status);
      if (reply.status === 200) expect(body).toBe(INDEX);
    });

    it('/token tells a wrong token (403) from the right one (204), so the page can say which', async () => {
      expect((await get(server.port, `/token?token=${encodeURIComponent(server.token)}`)).status).toBe(204);
      expect((await get(server.port, `/token?token=${encodeURIComponent(`${server.token}x`)}`)).status).toBe(403);
      expect((await get(server.port, '/token')).status).toBe(403);
      const reply = await get(server.port, '/token?token=x');
      expect(reply.body.length).toBe(0);
      expect(reply.headers['cache-control']).toBe('no-store');
    });

    it('survives a malformed percent-encoding', async () => {
      const reply = await get(server.port, '/%E0%A4%A');
      expect(reply.status).toBe(400);
      expect((await get(server.port, '/')).status).toBe(200);
    });
  });

  it('every response carries the CSP, Referrer-Policy and no-sniff headers', async () => {
    const replies = await Promise.all([
      get(server.port, '/'),
      get(server.port, '/assets/app.js'),
      get(server.port, filesUrl(good.id, good.json.images[0].id)),
      get(server.port, `/files/datasets/${good.id}/images/1`),
      get(server.port, filesUrl(999, 1)),
      get(server.port, '/', { Host: 'evil.example' }),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 403, 404, 421]);
    for (const r of replies) {
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).not.toMatch(/unsafe-eval/);
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('close() stops listening', async () => {
    const other = await startWebServer(engine, { port: 0, rendererDir });
    expect(await connectOutcome('127.0.0.1', other.port)).toBe('connected');
    await other.close();
    expect(await connectOutcome('127.0.0.1', other.port)).toBe('ECONNREFUSED');
  });
});
