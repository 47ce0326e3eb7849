import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppHandler, resolveAppFile } from '../../../src/main/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../../src/main/security';

describe('resolveAppFile', () => {
  const root = path.resolve('/r');
  it('maps URLs under the root and sends routes to index.html', () => {
    expect(resolveAppFile(root, 'odra-app://app/')).toEqual({
      file: path.join(root, 'index.html'),
      fallback: path.join(root, 'index.html'),
    });
    expect(resolveAppFile(root, 'odra-app://app/assets/a.js')?.file).toBe(path.join(root, 'assets/a.js'));
    expect(resolveAppFile(root, 'odra-app://app/datasets/3')?.fallback).toBe(path.join(root, 'index.html'));
  });

  it('refuses other hosts, schemes and escapes', () => {
    expect(resolveAppFile(root, 'odra-app://other/index.html')).toBeNull();
    expect(resolveAppFile(root, 'odra-file://app/index.html')).toBeNull();
    // URL parsing already folds encoded dot segments, so this one stays inside the root.
    expect(resolveAppFile(root, 'odra-app://app/%2e%2e/%2e%2e/etc/passwd')?.file).toBe(path.join(root, 'etc/passwd'));
    expect(resolveAppFile(root, 'odra-app://app/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveAppFile(root, 'odra-app://app/%E0%A4%A')).toBeNull();
  });
});

describe('createAppHandler', () => {
  let tmp: string;
  let handler: (request: Request) => Promise<Response>;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'odra-app-protocol-'));
    await mkdir(path.join(tmp, 'renderer', 'assets'), { recursive: true });
    await writeFile(path.join(tmp, 'renderer', 'index.html'), '<!doctype html><title>Odra</title>');
    await writeFile(path.join(tmp, 'renderer', 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(tmp, 'secret.txt'), 'secret');
    handler = createAppHandler(path.join(tmp, 'renderer'));
  });

  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('serves the page with the CSP header', async () => {
    const res = await handler(new Request('odra-app://app/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await res.text()).toContain('<title>Odra</title>');
  });

  it('serves assets and falls back to the page for client routes only', async () => {
    const js = await handler(new Request('odra-app://app/assets/app.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
    expect(await (await handler(new Request('odra-app://app/models/2'))).text()).toContain('<title>');
    expect((await handler(new Request('odra-app://app/assets/missing.js'))).status).toBe(404);
  });

  it('never leaves the renderer folder', async () => {
    expect((await handler(new Request('odra-app://app/%2e%2e/secret.txt'))).status).toBe(404);
    expect((await handler(new Request('odra-app://app/..%2fsecret.txt'))).status).toBe(404);
  });
});
