import { describe, expect, it } from 'vitest';
import { ThumbnailLoader, type LoaderDeps } from '../../../../src/renderer/src/api/thumbnail-loader';

/** A fetch whose responses the test releases one by one, recording what was asked and aborted. */
function fakeNetwork() {
  const requests: { url: string; signal: AbortSignal; respond: () => void }[] = [];
  const revoked: string[] = [];
  let made = 0;
  const deps: LoaderDeps = {
    fetchImpl: (url, { signal }) =>
      new Promise((resolve, reject) => {
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        requests.push({ url, signal, respond: () => resolve({ ok: true, status: 200, blob: async () => new Blob([url]) }) });
      }),
    createObjectURL: () => `blob:${++made}`,
    revokeObjectURL: (u) => void revoked.push(u),
  };
  return { deps, requests, revoked };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('ThumbnailLoader', () => {
  it('sends at most maxInFlight requests, newest first, and drops tiles cancelled before they were sent', async () => {
    const net = fakeNetwork();
    const loader = new ThumbnailLoader(net.deps, 2);
    const handles = Array.from({ length: 6 }, (_, i) => loader.load(`/t/${i}`));
    // a fling: tiles 0 and 1 went out at once, 2..4 were passed before a slot freed
    expect(net.requests.map((r) => r.url)).toEqual(['/t/0', '/t/1']);
    for (const i of [2, 3, 4]) handles[i].cancel();
    net.requests[0].respond();
    await tick();
    await tick();
    // the freed slot goes to the newest tile still wanted, never to a cancelled one
    expect(net.requests.map((r) => r.url)).toEqual(['/t/0', '/t/1', '/t/5']);
    expect(loader.counts).toEqual({ sent: 3, dropped: 3, aborted: 0 });
    await expect(handles[0].ready).resolves.toMatch(/^blob:/);
    await expect(handles[3].ready).rejects.toThrow(/cancelled/);
  });

  it('aborts a request in flight when its tile leaves, and revokes a loaded object URL on cancel', async () => {
    const net = fakeNetwork();
    const loader = new ThumbnailLoader(net.deps, 4);
    const a = loader.load('/t/a');
    const b = loader.load('/t/b');
    b.cancel();
    expect(net.requests.find((r) => r.url === '/t/b')?.signal.aborted).toBe(true);
    expect(loader.counts.aborted).toBe(1);
    net.requests.find((r) => r.url === '/t/a')!.respond();
    const url = await a.ready;
    a.cancel();
    expect(net.revoked).toEqual([url]);
  });

  it('reports a failed response as a failed tile', async () => {
    const loader = new ThumbnailLoader({
      fetchImpl: async () => ({ ok: false, status: 404, blob: async () => new Blob([]) }),
      createObjectURL: () => 'blob:x',
      revokeObjectURL: () => undefined,
    });
    await expect(loader.load('/t/missing').ready).rejects.toThrow(/404/);
  });
});
