/**
 * The engine's side of the scorer worker (scorer-worker.ts): scoring sessions (one
 * audit's ground truth, posted once), cells scored from pages of stored units, and
 * audit analyses (the bootstrap) over the stored cell records.
 * Between pages the engine thread yields, so reading a 10,000-image cell never holds it
 * for long; matching and accumulation happen on the worker. Cells are answered in the
 * order they were finished. The worker is started on first use.
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
  /** time on the worker, from the cell's first unit to its result */
  ms: number;
}

export type UnitPage = { imagePos: number; detections: Uint8Array }[];

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
   * Scores one cell: `nextPage` is called until it returns an empty page (each page one
   * SQLite query, between them the thread is free); every image of the session must
   * appear exactly once.
   */
  async scoreCell(session: number, mapping: CellMapping, nextPage: () => UnitPage, signal?: AbortSignal): Promise<ScoredCell> {
    const cell = this.nextCell++;
    const result = new Promise<ScoredCell>((resolve, reject) => this.pending.set(cell, { resolve, reject }));
    result.catch(() => undefined);
    this.post({ type: 'cell', cell, session, classMap: mapping.classMap, classNames: mapping.classNames, categories: mapping.categories });
    for (;;) {
      if (signal?.aborted) {
        this.post({ type: 'drop', cell });
        this.pending.delete(cell);
        throw new Error('scoring was stopped');
      }
      const page = nextPage();
      if (!page.length) break;
      this.post({ type: 'units', cell, units: page });
      await yieldToEvents();
    }
    this.post({ type: 'finish', cell });
    return result;
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
      if (m.type === 'scored') p.resolve({ stats: m.stats, perCategory: m.perCategory, record: m.record, ms: m.ms });
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
