/**
 * `odra-file://dataset/<datasetId>/image/<imageId>`: dataset images for the renderer;
 * `odra-file://dataset/<datasetId>/thumbnail/<imageId>`: the grid's thumbnail of one,
 * which the engine makes on first request in its thumbnail cache (a registered root of
 * its own, reported as the located file's root).
 *
 * The renderer only names an image by ids; the path comes from the engine's store
 * (main's privileged `datasets.imagePath`), so a compromised page cannot ask for an
 * arbitrary file. Even then the file is served only if its real path (symlinks
 * resolved) lies inside the dataset's registered root, is a regular file, and both
 * the stored and the real name carry an image extension.
 */
import { readFile, stat } from 'node:fs/promises';
import { realPathInside } from '../platform/node/paths';
import { IMAGE_SCHEME } from '../shared/desktop-bridge';
import { imageContentType } from '../shared/image-files';
import { sameOrigin } from './urls';

export interface ImageRef {
  datasetId: number;
  imageId: number;
  kind: 'image' | 'thumbnail';
}

export interface LocatedImage {
  path: string;
  root: string;
}

/**
 * Looks an image (or its thumbnail) up in the store; null (or a rejection) when there is
 * none. `signal` aborts when the renderer drops the request.
 */
export type ImageLocator = (ref: ImageRef, signal?: AbortSignal) => Promise<LocatedImage | null>;

export function parseImageUrl(url: string): ImageRef | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${IMAGE_SCHEME}:` || parsed.hostname !== 'dataset' || parsed.search || parsed.port) return null;
  const match = /^\/(\d{1,15})\/(image|thumbnail)\/(-?\d{1,15})$/.exec(parsed.pathname);
  if (!match) return null;
  return { datasetId: Number(match[1]), imageId: Number(match[3]), kind: match[2] as ImageRef['kind'] };
}

export type ServeCheck =
  | { ok: true; path: string; contentType: string }
  | { ok: false; status: 403 | 404 };

export async function checkServable(located: LocatedImage): Promise<ServeCheck> {
  if (!imageContentType(located.path)) return { ok: false, status: 403 };
  const real = await realPathInside(located.path, located.root);
  if (!real.ok) return { ok: false, status: real.reason === 'missing' ? 404 : 403 };
  const realFile = real.path;
  const contentType = imageContentType(realFile);
  if (!contentType) return { ok: false, status: 403 };
  const info = await stat(realFile).catch(() => null);
  if (!info?.isFile()) return { ok: false, status: 404 };
  return { ok: true, path: realFile, contentType };
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

/**
 * The protocol handler. `appUrl` is the renderer's URL: a request from that origin
 * gets a CORS grant so the page can draw images on a canvas without tainting it.
 */
export function createImageHandler(locate: ImageLocator, appUrl: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
    const ref = parseImageUrl(request.url);
    if (!ref) return plain(404, 'not found');
    let located: LocatedImage | null;
    try {
      located = await locate(ref, request.signal);
    } catch {
      located = null;
    }
    if (!located) return plain(404, 'not found');
    const check = await checkServable(located);
    if (!check.ok) return plain(check.status, check.status === 403 ? 'forbidden' : 'not found');
    const headers: Record<string, string> = {
      'Content-Type': check.contentType,
      'Cache-Control': 'private, max-age=3600',
      'X-Content-Type-Options': 'nosniff',
    };
    const origin = request.headers.get('origin');
    if (origin && sameOrigin(origin, appUrl)) headers['Access-Control-Allow-Origin'] = origin;
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    const body = await readFile(check.path).catch(() => null);
    if (!body) return plain(404, 'not found');
    return new Response(body, { status: 200, headers });
  };
}
