/**
 * A WebSocket client that holds the token but stops reading must not grow the engine's
 * memory without bound (web-server.ts, backpressure.ts). The clients here are raw TCP
 * sockets that never read from the kernel until the test says so; the server runs with
 * small limits so the thresholds are reached in seconds. The kernel's socket buffers
 * (a few MiB on loopback) hold some bytes beyond what the server counts, so each case
 * asks for many times more than they hold.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Engine } from '../../../src/engine/engine';
import { startWebServer, type RunningServer } from '../../../src/engine/host/web-server';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { responseMessageSchema } from '../../../src/shared/contract';
import { makeGoodDataset, makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { closed, frameReader, jsonFrame, rawWebSocket } from '../../helpers/raw-websocket';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Polls `check` until it holds or `ms` pass (then fails naming `what`). */
async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One request over a fresh `ws` client: what a second, well-behaved client gets. */
function callOnce(server: RunningServer, method: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'request', id: 'probe', method, input: {} })));
    ws.on('message', (data: Buffer) => {
      ws.close();
      resolve(responseMessageSchema.parse(JSON.parse(data.toString())));
    });
    ws.on('error', reject);
  });
}

describe('WebSocket backpressure of odra serve', () => {
  let temp: string;
  let rendererDir: string;
  let engine: Engine;
  let datasetId: number;
  let imageId: number;
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('backpressure');
    rendererDir = path.join(temp, 'renderer');
    await mkdir(rendererDir, { recursive: true });
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>odra</title>');
    engine = new Engine({ dbPath: ':memory:' });
    const client = inProcessClient(engine);
    // datasets.list answers with every dataset and its 80 categories: tens of KiB per answer
    for (let n = 1; n <= 4; n++) {
      const json = await makeGoodDataset(path.join(temp, `ds${n}`), n);
      const ds = await client.call('datasets.import', { dir: path.join(temp, `ds${n}`) });
      if (n === 1) {
        datasetId = ds.id;
        imageId = json.images[0].id;
      }
    }
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await engine?.close();
    await removeDir(temp);
  });

  it('stops reading a client that does not read at the high water mark, keeps its queue bounded, and answers everything once it reads', async () => {
    const server = await startWebServer(engine, { rendererDir, backpressure: { highWater: 256 * KiB, lowWater: 64 * KiB, hardLimit: 64 * MiB } });
    try {
      const socket = await rawWebSocket(server.port, server.token);
      sockets.push(socket);
      // each read of 64 KiB holds ~800 requests; 64 run at once, the rest are refused: ~2 KiB answered per request
      const N = 20_000;
      socket.write(Buffer.concat(Array.from({ length: N }, (_, i) => jsonFrame({ type: 'request', id: String(i), method: 'datasets.list', input: {} }))));

      await until(() => server.backpressureStats().pauses >= 1, 'the server to stop reading the client');
      const whilePaused = server.backpressureStats();
      expect(whilePaused.disconnected).toBe(0);

      // now the client reads: every request gets its answer (refusals of "too many at once" are answers too)
      const answered = new Set<string>();
      let listed = 0;
      let bytes = 0;
      const read = frameReader((text) => {
        const m = responseMessageSchema.parse(JSON.parse(text));
        answered.add(m.id);
        if (m.ok) listed++;
      });
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        read(chunk);
      });
      socket.resume();
      await until(() => answered.size === N, `${N} answers (got ${answered.size})`);

      const stats = server.backpressureStats();
      expect(stats.disconnected).toBe(0);
      expect(stats.pauses).toBeGreaterThan(1);
      expect(listed).toBeGreaterThan(0);
      // the queue peaked at a few MiB (the high water mark plus the answers to one read's requests)
      // while many times more passed through the connection
      expect(stats.peakQueued).toBeLessThan(8 * MiB);
      expect(bytes).toBeGreaterThan(32 * MiB);
    } finally {
      await server.close();
    }
  });

  it('disconnects a client whose queue passes the hard limit (a burst of full-size previews) and serves the next client', async () => {
    const server = await startWebServer(engine, { rendererDir, backpressure: { highWater: 1 * MiB, lowWater: 256 * KiB, hardLimit: 4 * MiB } });
    try {
      const socket = await rawWebSocket(server.port, server.token);
      sockets.push(socket);
      let gone = false;
      socket.once('close', () => {
        gone = true;
      });
      socket.on('error', () => undefined);
      // each answer holds 5 full-resolution PNG cells as data URLs: MiBs each
      const previews = Array.from({ length: 24 }, (_, i) =>
        jsonFrame({
          type: 'request',
          id: `p${i}`,
          method: 'corruptions.preview',
          input: { datasetId, imageId, corruptions: ['brightness'], severities: [1, 2, 3, 4, 5], seed: i },
        }),
      );
      socket.write(Buffer.concat(previews));

      await until(() => server.backpressureStats().disconnected === 1, 'the server to disconnect the client', 120_000);
      const stats = server.backpressureStats();
      // what the engine held for it: at most the hard limit plus one answer (6 PNGs of a 640 px image, under 8 MiB)
      const oneAnswer = 8 * MiB;
      expect(stats.peakQueued).toBeGreaterThan(4 * MiB);
      expect(stats.peakQueued).toBeLessThan(4 * MiB + oneAnswer);
      await closed(socket);
      expect(gone).toBe(true);

      expect(await callOnce(server, 'system.info')).toMatchObject({ type: 'response', id: 'probe', ok: true });
    } finally {
      await server.close();
    }
  });
});
