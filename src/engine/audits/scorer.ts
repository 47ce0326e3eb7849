/**
 * The engine's side of the scorer worker (scorer-worker.ts): scoring sessions (one
 * audit's ground truth, posted once), cells scored from pages of stored units, and
 * audit analyses (the bootstrap) over the stored cell records.
 *
 * A cell is scored from a page source: each call gives the next page of the cell's
 * stored units (any image order, every image of the session exactly once over all
 * pages) and an empty page ends the cell. A source may return a promise: a cell whose
 * units are still being stored (the executor's streamed cells) waits there until more
 * are committed, while other cells and requests go on. Every page is posted to the
 * worker as it comes (matching there, image by image); the empty page posts `finish`
 * (accumulate + summarize). A source that throws, or a stop signal seen between pages,
 * drops the cell on the worker (nothing of it is kept) and rejects the call with that
 * error; a worker that fails ends the call at the next page with its error.
 * Between pages the engine thread yields, so reading a 10,000-image cell never holds it
 * for long. Several cells may be in progress at once (the worker holds one per-image
 * evaluation per image given, per cell in progress, until the cell finishes or is
 * dropped); cells are answered in the order they were finished. The worker is started
 * on first use.
 */
import { Worker } from 'node:worker_threads';
import type { ClassMap } from '../../shared/schemas';
import type { CocoStats, GtAnnotation, PerCategoryResult } from '../cocoeval/cocoeval';
import type { CategoryRef } from '../evaluations/class-map';
import { findBundle } from '../util/bundle-path';
import type { FromScorer, ToScorer } from './scorer-protocol';
import type { AuditAnalysis } from '../../shared/audit-results';
import { ERROR_CODES, OdraError, type ErrorCode } from '../../shared/errors';

function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

export interface CellMapping {
  classMap: ClassMap;
  classNames: string[];
  categories: CategoryRef[];
}

export interface ScoredCell {
  stats: CocoStats;
  perCategory: PerCategoryResult[];
  record: Uint8Array | null;
  /** time on the worker, from the cell's set-up to its result (waits for pages included) */
  ms: number;
  /** the worker's time spent on this cell: matching its images, accumulating */
  busyMs: number;
}

export type UnitPage = { imagePos: number; detections: Uint8Array }[];

/** The next page of a cell's units; empty: there are no more. A promise: wait for them. */
export type PageSource = () => UnitPage | Promise<UnitPage>;

export type AnalyseRequest = Omit<Extract<ToScorer, { type: 'analyse' }>, 'type' | 'request'>;

const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Scorer {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (c: ScoredCell) => void; reject: (e: Error) => void }>();
  private readonly analyses = new Map<number, { resolve: (a: { analysis: AuditAnalysis; ms: number }) => void; reject: (e: Error) => void }>();
  private nextRequest = 1;
  private nextSession = 1;
  private nextCell = 1;
  private closed = false;

  constructor(private readonly script: string = findBundle('scorer-worker.js')) {}

  /** Posts one audit's ground truth; cells of the session are scored against it. */
  openSession(images: { id: number; width: number; height: number }[], annotations: GtAnnotation[]): number {
    const session = this.nextSession++;
    this.post({ type: 'session', session, images, annotations });
    return session;
  }

  endSession(session: number): void {
    if (this.worker) this.post({ type: 'end-session', session });
  }

  /**
   * Scores one cell: `nextPage` is called until it gives an empty page (each page one
   * SQLite query, between them the thread is free); every image of the session must
   * appear exactly once. A page source that waits (a promise) keeps the cell open on the
   * worker until it gives the next page.
   */
  async scoreCell(session: number, mapping: CellMapping, nextPage: PageSource, signal?: AbortSignal): Promise<ScoredCell> {
    const cell = this.nextCell++;
    let failed = false;
    const result = new Promise<ScoredCell>((resolve, reject) => this.pending.set(cell, { resolve, reject }));
    result.catch(() => {
      failed = true;
    });
    try {
      this.post({ type: 'cell', cell, session, classMap: mapping.classMap, classNames: mapping.classNames, categories: mapping.categories });
    } catch (err) {
      this.pending.delete(cell);
      throw err;
    }
    for (;;) {
      if (signal?.aborted) this.drop(cell, new Error('scoring was stopped'));
      let page: UnitPage;
      try {
        page = await nextPage();
      } catch (err) {
        this.drop(cell, err instanceof Error ? err : new Error(String(err)));
      }
      // the worker failed while the source waited: its error is the answer
      if (failed) return result;
      if (signal?.aborted) this.drop(cell, new Error('scoring was stopped'));
      if (!page.length) break;
      this.post({ type: 'units', cell, units: page });
      await yieldToEvents();
    }
    this.post({ type: 'finish', cell });
    return result;
  }

  /** Forgets a cell on both sides (the worker frees its per-image evaluations) and throws `err`. */
  private drop(cell: number, err: Error): never {
    this.pending.delete(cell);
    // a worker that stopped took its cells with it: no new one is started to forget them
    if (!this.closed && this.worker) this.post({ type: 'drop', cell });
    throw err;
  }

  /** Cells set up and not yet answered or dropped (for tests: a stopped run leaves none). */
  get cellsInProgress(): number {
    return this.pending.size;
  }

  /** The audit's analysis, computed on the worker. */
  analyse(request: AnalyseRequest): Promise<{ analysis: AuditAnalysis; ms: number }> {
    const id = this.nextRequest++;
    const result = new Promise<{ analysis: AuditAnalysis; ms: number }>((resolve, reject) => this.analyses.set(id, { resolve, reject }));
    this.post({ type: 'analyse', request: id, ...request });
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('the scorer was closed'));
    await worker?.terminate();
  }

  private post(message: ToScorer): void {
    if (this.closed) throw new Error('the scorer is closed');
    this.ensureWorker().postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.on('message', (m: FromScorer) => {
      if (m.type === 'analysed' || m.type === 'analysis-failed') {
        const a = this.analyses.get(m.request);
        this.analyses.delete(m.request);
        if (m.type === 'analysed') a?.resolve({ analysis: m.analysis, ms: m.ms });
        else a?.reject(new OdraError(isErrorCode(m.code) ? m.code : 'INTERNAL', `the audit analysis failed: ${m.message}`));
        return;
      }
      const p = this.pending.get(m.cell);
      if (!p) return;
      this.pending.delete(m.cell);
      if (m.type === 'scored') p.resolve({ stats: m.stats, perCategory: m.perCategory, record: m.record, ms: m.ms, busyMs: m.busyMs });
      else p.reject(new Error(`scoring failed: ${m.message}`));
    });
    worker.on('error', (err) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new Error(`the scorer stopped: ${err.message}`));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const a of this.analyses.values()) a.reject(err);
    this.analyses.clear();
  }
}
