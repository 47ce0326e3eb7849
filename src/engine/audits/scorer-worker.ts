/**
 * The scorer worker thread (out/node/scorer-worker.js): scores audit cells from the
 * units the engine posts (scorer-protocol.ts), one CellScorer per cell in progress,
 * and answers each cell with its COCO stats, per-category AP and compact record; and
 * runs an audit's analysis (analytics/analyse-audit.ts: robustness, worst class,
 * imbalance, the paired bootstrap) over the stored records, off the engine's thread.
 */
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { toErrorPayload } from '../../shared/errors';
import { analyseAudit } from '../analytics/analyse-audit';
import type { GtAnnotation } from '../cocoeval/cocoeval';
import { buildCellRecord } from './cell-record';
import { CellScorer, type AuditGroundTruth } from './score-cell';
import type { FromScorer, ToScorer } from './scorer-protocol';
import { scoringMap } from './scoring-map';

if (!parentPort) throw new Error('the scorer must run in a worker thread');
const port = parentPort;

const sessions = new Map<number, AuditGroundTruth>();
const cells = new Map<number, { scorer: CellScorer | null; error: string | null; started: number; busyMs: number }>();

function send(message: FromScorer): void {
  port.postMessage(message);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

port.on('message', (m: ToScorer) => {
  switch (m.type) {
    case 'session': {
      const annotationsByImage = new Map<number, GtAnnotation[]>();
      for (const a of m.annotations) {
        const list = annotationsByImage.get(a.image_id);
        if (list) list.push(a);
        else annotationsByImage.set(a.image_id, [a]);
      }
      sessions.set(m.session, { images: m.images, annotationsByImage });
      return;
    }
    case 'end-session':
      sessions.delete(m.session);
      return;
    case 'cell': {
      const gt = sessions.get(m.session);
      try {
        if (!gt) throw new Error(`no scoring session ${m.session}`);
        const started = performance.now();
        const scorer = new CellScorer(gt, scoringMap(m.classMap, m.classNames, m.categories));
        cells.set(m.cell, { scorer, error: null, started, busyMs: performance.now() - started });
      } catch (err) {
        cells.set(m.cell, { scorer: null, error: message(err), started: performance.now(), busyMs: 0 });
      }
      return;
    }
    case 'units': {
      const cell = cells.get(m.cell);
      if (!cell?.scorer || cell.error) return;
      const t0 = performance.now();
      try {
        for (const u of m.units) cell.scorer.add(u.imagePos, u.detections);
      } catch (err) {
        cell.error = message(err);
      }
      cell.busyMs += performance.now() - t0;
      return;
    }
    case 'finish': {
      const cell = cells.get(m.cell);
      cells.delete(m.cell);
      if (!cell) return send({ type: 'error', cell: m.cell, message: `no cell ${m.cell} in progress` });
      if (cell.error || !cell.scorer) return send({ type: 'error', cell: m.cell, message: cell.error ?? 'the cell could not be set up' });
      try {
        const t0 = performance.now();
        const score = cell.scorer.finish();
        const record = buildCellRecord(cell.scorer.imageEvals(), cell.scorer.setup);
        const now = performance.now();
        send({ type: 'scored', cell: m.cell, stats: score.stats, perCategory: score.perCategory, record, ms: now - cell.started, busyMs: cell.busyMs + (now - t0) });
      } catch (err) {
        send({ type: 'error', cell: m.cell, message: message(err) });
      }
      return;
    }
    case 'drop':
      cells.delete(m.cell);
      return;
    case 'analyse':
      analyse(m);
      return;
  }
});

function analyse(m: Extract<ToScorer, { type: 'analyse' }>): void {
  const started = performance.now();
  let db: Database.Database | null = null;
  try {
    let cell: (model: number, condition: number) => Uint8Array;
    if ('db' in m.source) {
      const source = m.source;
      db = new Database(source.db, { readonly: true, fileMustExist: true, ...(source.nativeBinding ? { nativeBinding: source.nativeBinding } : {}) });
      const read = db.prepare('SELECT record FROM audit_cells WHERE audit_id = ? AND model_pos = ? AND condition_pos = ?');
      cell = (model, condition) => {
        const row = read.get(source.auditId, model, condition) as { record: Buffer | null } | undefined;
        if (!row?.record) throw new Error(`cell (model ${model}, condition ${condition}) of audit ${source.auditId} has no match record: re-score the audit`);
        return new Uint8Array(row.record.buffer, row.record.byteOffset, row.record.byteLength);
      };
    } else {
      const records = new Map(m.source.records.map((r) => [`${r.model}:${r.condition}`, r.record]));
      cell = (model, condition) => {
        const r = records.get(`${model}:${condition}`);
        if (!r) throw new Error(`cell (model ${model}, condition ${condition}) has no match record: re-score the audit`);
        return r;
      };
    }
    const analysis = analyseAudit({ models: m.models, conditions: m.conditions, categories: m.categories, cell, options: m.options });
    send({ type: 'analysed', request: m.request, analysis, ms: performance.now() - started });
  } catch (err) {
    const payload = toErrorPayload(err);
    send({ type: 'analysis-failed', request: m.request, code: payload.code, message: payload.message });
  } finally {
    db?.close();
  }
}
