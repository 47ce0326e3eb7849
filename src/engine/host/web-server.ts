/**
 * Browser mode (`odra serve`): the built renderer plus the contract over WebSocket.
 *
 * Bound to 127.0.0.1 only. A random token (192 bits) must accompany the WebSocket
 * (`/rpc?token=`) and image requests (`/files/datasets/D/images/I?token=` for the full
 * image, `/files/datasets/D/thumbnails/I?token=` for the grid's thumbnail, made on
 * first request and dropped when the request closes first); it is compared in constant
 * time. The Host header must name the loopback address (DNS-rebinding defence), and a
 * WebSocket Origin, when present, must be this server's own. Responses carry a strict
 * CSP and `Referrer-Policy: no-referrer` so the token never leaks through a Referer.
 *
 * A connection can never take the server down or grow its memory without bound:
 *   - any socket or frame error (an over-size message, invalid UTF-8, an unmasked frame,
 *     a bad opcode or close code) closes that connection only (its running requests are
 *     cancelled, as when a client goes away);
 *   - backpressure (backpressure.ts): when more than highWater bytes wait to be sent to a
 *     client, Odra stops reading its requests until the queue falls to lowWater, and drops
 *     progress meanwhile (the next one supersedes it); a client whose queue passes
 *     hardLimit is disconnected. Defaults (DEFAULT_BACKPRESSURE): highWater 16 MiB,
 *     lowWater 4 MiB, hardLimit 256 MiB; `options.backpressure` overrides them (`odra serve
 *     --high-water/--low-water/--hard-limit`), and `backpressureStats()` says what they did;
 *   - GET /token?token=... answers 204 for this server's token and 403 otherwise, so that
 *     the page can say "this address's token is not valid" instead of "lost the connection"
 *     (a browser does not see why a WebSocket handshake failed);
 *   - image files are served only when they are regular files (file-route.ts), so a FIFO
 *     in a dataset folder cannot block the server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../engine';
import { RpcSession } from '../rpc/session';
import { backpressureLimits, sendDecision, type BackpressureLimits, type BackpressureStats } from './backpressure';
import { servableImage } from './file-route';

export interface WebServerOptions {
  port?: number;
  /** folder of the built renderer (index.html + assets) */
  rendererDir: string;
  token?: string;
  /** per-connection send-queue limits in bytes; DEFAULT_BACKPRESSURE for those not given */
  backpressure?: Partial<BackpressureLimits>;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  /** the limits in force */
  backpressure: BackpressureLimits;
  /** what backpressure did since the server started (a copy) */
  backpressureStats(): BackpressureStats;
  close(): Promise<void>;
}

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self' ws://127.0.0.1:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const STATIC_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export async function startWebServer(engine: Engine, options: WebServerOptions): Promise<RunningServer> {
  const limits = backpressureLimits(options.backpressure);
  const stats: BackpressureStats = { peakQueued: 0, pauses: 0, dropped: 0, disconnected: 0 };
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);
  await stat(path.join(rendererDir, 'index.html')).catch(() => {
    throw new Error(`the renderer is not built: ${path.join(rendererDir, 'index.html')} is missing (run npm run build)`);
  });
  let port = 0;
  const tokenOk = (candidate: string | null): boolean => {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const hostOk = (host: string | undefined): boolean => host === `127.0.0.1:${port}` || host === `localhost:${port}`;

  const server = http.createServer((req, res) => {
    void (async () => {
      res.setHeader('Content-Security-Policy', CSP);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('X-Frame-Options', 'DENY');
      if (!hostOk(req.headers.host)) return deny(res, 421, 'wrong host');
      if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      // lets the page tell a wrong token (403) from a server that is down or restarting
      if (url.pathname === '/token') {
        res.writeHead(tokenOk(url.searchParams.get('token')) ? 204 : 403, { 'Cache-Control': 'no-store' });
        res.end();
        return;
      }
      const file = /^\/files\/datasets\/(\d+)\/images\/(-?\d+)$/.exec(url.pathname);
      if (file) {
        if (!tokenOk(url.searchParams.get('token'))) return deny(res, 403, 'forbidden');
        let located;
        try {
          located = engine.datasets.imagePath(Number(file[1]), Number(file[2]));
        } catch {
          return deny(res, 404, 'not found');
        }
        const ok = await servableImage(located.path, located.root);
        if (!ok) return deny(res, 404, 'not found');
        res.writeHead(200, { 'Content-Type': ok.contentType, 'Cache-Control': 'private, max-age=3600' });
        createReadStream(ok.path).pipe(res);
        return;
      }
      const thumb = /^\/files\/datasets\/(\d+)\/thumbnails\/(-?\d+)$/.exec(url.pathname);
      if (thumb) {
        if (!tokenOk(url.searchParams.get('token'))) return deny(res, 403, 'forbidden');
        // a tile scrolled past closes its request: its queued thumbnail is dropped
        const controller = new AbortController();
        res.once('close', () => controller.abort());
        let made;
        try {
          made = await engine.thumbnail(Number(thumb[1]), Number(thumb[2]), controller.signal);
        } catch {
          return controller.signal.aborted ? undefined : deny(res, 404, 'not found');
        }
        res.writeHead(200, { 'Content-Type': 'image/webp', 'Cache-Control': 'private, max-age=86400' });
        createReadStream(made.path).pipe(res);
        return;
      }
      await serveStatic(rendererDir, url.pathname, res);
    })().catch(() => deny(res, 500, 'internal error'));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const origin = req.headers.origin;
    const originOk = origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (url.pathname !== '/rpc' || !hostOk(req.headers.host) || !originOk || !tokenOk(url.searchParams.get('token'))) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(engine, ws, limits, stats));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    backpressure: limits,
    backpressureStats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** How often a paused connection's queue is looked at. */
const DRAIN_CHECK_MS = 50;

function attach(engine: Engine, ws: WebSocket, limits: BackpressureLimits, stats: BackpressureStats): void {
  let paused: ReturnType<typeof setInterval> | null = null;
  const resumeWhenDrained = (): void => {
    if (paused) return;
    ws.pause();
    stats.pauses++;
    paused = setInterval(() => {
      if (ws.readyState !== ws.OPEN || ws.bufferedAmount <= limits.lowWater) {
        clearInterval(paused ?? undefined);
        paused = null;
        if (ws.readyState === ws.OPEN) ws.resume();
      }
    }, DRAIN_CHECK_MS);
  };
  const session = new RpcSession(engine, (m) => {
    if (ws.readyState !== ws.OPEN) return;
    const decision = sendDecision(ws.bufferedAmount, m, limits);
    if (decision === 'drop') {
      stats.dropped++;
      return;
    }
    if (decision === 'disconnect') {
      stats.disconnected++;
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(m));
    stats.peakQueued = Math.max(stats.peakQueued, ws.bufferedAmount);
    if (ws.bufferedAmount > limits.highWater) resumeWhenDrained();
  });
  // A malformed frame or a socket fault ends this connection, never the server.
  ws.on('error', () => ws.terminate());
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      parsed = null;
    }
    session.receive(parsed);
  });
  ws.on('close', () => {
    if (paused) clearInterval(paused);
    session.close();
  });
}

async function serveStatic(root: string, pathname: string, res: http.ServerResponse): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return deny(res, 400, 'bad request'); // a malformed %-escape is the client's error, not ours
  }
  const file = path.resolve(root, `.${rel}`);
  if (!file.startsWith(root + path.sep)) return deny(res, 404, 'not found');
  const s = await stat(file).catch(() => null);
  // Unknown paths get the app (client-side routes), never a directory listing.
  const target = s?.isFile() ? file : path.join(root, 'index.html');
  const type = STATIC_TYPES[path.extname(target)] ?? 'application/octet-stream';
  res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
  res.end(await readFile(target));
}

function deny(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
