/**
 * Loading the grid's thumbnails so that scrolling never waits on tiles it has passed.
 *
 * Each tile asks for its thumbnail with `load(url)` and gets a handle; when the tile
 * leaves the DOM it calls `cancel()`: a request still queued here is dropped before it
 * is sent, one in flight is aborted (its connection closes, and the engine drops the
 * thumbnail job if nobody else waits for it), and the object URL is revoked. At most
 * `maxInFlight` requests run at once, newest first, so after a fling the tiles in view
 * load before the ones that were only passed on the way.
 *
 * `fetchImpl` and the object-URL functions are injected so the logic is tested without
 * a browser.
 */

export interface ThumbnailHandle {
  /** the object URL of the loaded thumbnail; rejects when it fails or is cancelled */
  readonly ready: Promise<string>;
  cancel(): void;
}

export interface LoaderDeps {
  fetchImpl: (url: string, init: { signal: AbortSignal }) => Promise<{ ok: boolean; status: number; blob(): Promise<Blob> }>;
  createObjectURL: (blob: Blob) => string;
  revokeObjectURL: (url: string) => void;
}

interface Entry {
  url: string;
  controller: AbortController;
  started: boolean;
  objectUrl: string | null;
  resolve: (objectUrl: string) => void;
  reject: (err: Error) => void;
}

export class ThumbnailLoader {
  private readonly queue: Entry[] = [];
  private inFlight = 0;
  /** requests sent / dropped before sending / aborted in flight (for tests and the status line) */
  readonly counts = { sent: 0, dropped: 0, aborted: 0 };

  constructor(
    private readonly deps: LoaderDeps,
    private readonly maxInFlight = 6,
  ) {}

  load(url: string): ThumbnailHandle {
    let resolve!: (u: string) => void;
    let reject!: (e: Error) => void;
    const ready = new Promise<string>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    ready.catch(() => undefined); // a cancelled tile may never look at it
    const entry: Entry = { url, controller: new AbortController(), started: false, objectUrl: null, resolve, reject };
    this.queue.push(entry);
    this.pump();
    return {
      ready,
      cancel: () => this.cancel(entry),
    };
  }

  private cancel(entry: Entry): void {
    if (entry.objectUrl) {
      this.deps.revokeObjectURL(entry.objectUrl);
      entry.objectUrl = null;
      return;
    }
    if (entry.controller.signal.aborted) return;
    if (!entry.started) {
      const at = this.queue.indexOf(entry);
      if (at >= 0) this.queue.splice(at, 1);
      this.counts.dropped++;
    } else {
      this.counts.aborted++;
    }
    entry.controller.abort();
    entry.reject(new Error('cancelled'));
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length) {
      const entry = this.queue.pop()!; // newest first: the tiles now in view
      entry.started = true;
      this.inFlight++;
      this.counts.sent++;
      void this.fetchOne(entry).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async fetchOne(entry: Entry): Promise<void> {
    try {
      const res = await this.deps.fetchImpl(entry.url, { signal: entry.controller.signal });
      if (!res.ok) throw new Error(`thumbnail request failed (${res.status})`);
      const blob = await res.blob();
      if (entry.controller.signal.aborted) return;
      entry.objectUrl = this.deps.createObjectURL(blob);
      entry.resolve(entry.objectUrl);
    } catch (err) {
      entry.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

let shared: ThumbnailLoader | null = null;

/** The page's one loader, on the browser's fetch and object URLs. */
export function thumbnailLoader(): ThumbnailLoader {
  shared ??= new ThumbnailLoader({
    fetchImpl: (url, init) => fetch(url, init),
    createObjectURL: (blob) => URL.createObjectURL(blob),
    revokeObjectURL: (url) => URL.revokeObjectURL(url),
  });
  return shared;
}
