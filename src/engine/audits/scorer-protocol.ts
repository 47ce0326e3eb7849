/**
 * Messages between the engine and its scorer worker (scorer-worker.ts). The engine
 * reads a cell's stored units from SQLite page by page and posts them; the worker
 * matches them image by image (score-cell.ts) and accumulates, off the thread that
 * answers requests: accumulating a large cell takes longer than that thread may block.
 */
import type { ClassMap } from '../../shared/schemas';
import type { AnalysisOptions, AuditAnalysis } from '../../shared/audit-results';
import type { AuditAnalysisInput } from '../analytics/analyse-audit';
import type { CocoStats, GtAnnotation, PerCategoryResult } from '../cocoeval/cocoeval';
import type { CategoryRef } from '../evaluations/class-map';

export type ToScorer =
  /** the ground truth of one audit's images (plan order), kept until end-session */
  | { type: 'session'; session: number; images: { id: number; width: number; height: number }[]; annotations: GtAnnotation[] }
  | { type: 'end-session'; session: number }
  | { type: 'cell'; cell: number; session: number; classMap: ClassMap; classNames: string[]; categories: CategoryRef[] }
  | { type: 'units'; cell: number; units: { imagePos: number; detections: Uint8Array }[] }
  | { type: 'finish'; cell: number }
  | { type: 'drop'; cell: number }
  /**
   * analyseAudit over an audit's stored cell records: read from the store file by the
   * worker (its own read-only connection) or, for an in-memory store, given here.
   */
  | {
      type: 'analyse';
      request: number;
      source: { db: string; nativeBinding?: string; auditId: number } | { records: { model: number; condition: number; record: Uint8Array }[] };
      models: AuditAnalysisInput['models'];
      conditions: AuditAnalysisInput['conditions'];
      categories: AuditAnalysisInput['categories'];
      options: AnalysisOptions;
    };

export type FromScorer =
  /**
   * ms: from the cell's set-up to its result (a streamed cell's includes the time spent
   * waiting for its units); busyMs: the worker's time on this cell (matching, accumulating)
   */
  | { type: 'scored'; cell: number; stats: CocoStats; perCategory: PerCategoryResult[]; record: Uint8Array | null; ms: number; busyMs: number }
  | { type: 'error'; cell: number; message: string }
  | { type: 'analysed'; request: number; analysis: AuditAnalysis; ms: number }
  | { type: 'analysis-failed'; request: number; code: string; message: string };
