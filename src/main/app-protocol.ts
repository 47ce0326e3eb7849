/**
 * `odra-app://app/...`: the built renderer (out/renderer), served from a custom
 * protocol instead of file:// (security checklist item 18), so the page gets a real
 * origin, file:// keeps no extra privileges, and only files under the renderer
 * folder can be reached. The CSP header is set here because webRequest does not see
 * responses of custom protocols.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../platform/node/paths';
import { CONTENT_SECURITY_POLICY } from './security';
import { APP_HOST, APP_SCHEME } from './urls';

const STATIC_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The file a request maps to, or null when it is outside the root or not ours.
 * Paths without an extension are client-side routes and get index.html.
 */
export function resolveAppFile(root: string, url: string): { file: string; fallback: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.hostname !== APP_HOST || parsed.port) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const index = path.join(root, 'index.html');
  if (rel === '/' || rel === '') return { file: index, fallback: index };
  const file = path.resolve(root, `.${rel}`);
  if (!isInside(root, file)) return null;
  return { file, fallback: path.extname(file) ? file : index };
}

async function isFile(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  return info?.isFile() ?? false;
}

export function createAppHandler(rendererRoot: string): (request: Request) => Promise<Response> {
  const root = path.resolve(rendererRoot);
  return async (request) => {
    const headers: Record<string, string> = {
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('method not allowed', { status: 405, headers });
    }
    const target = resolveAppFile(root, request.url);
    if (!target) return new Response('not found', { status: 404, headers });
    const file = (await isFile(target.file)) ? target.file : target.fallback;
    if (file !== target.file && !(await isFile(file))) return new Response('not found', { status: 404, headers });
    headers['Content-Type'] = STATIC_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    const body = await readFile(file).catch(() => null);
    if (!body) return new Response('not found', { status: 404, headers });
    return new Response(body, { status: 200, headers });
  };
}
