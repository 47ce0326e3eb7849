/**
 * Shared decoding for DETR-family query heads (DETR, RT-DETR; their modules call it with
 * their default decoding settings): Q queries, each with a box (normalized cxcywh by
 * default) and class logits.
 *
 * - softmax (DETR): probabilities over the classes and the "no object" column; each
 *   query gives one candidate, its best real class (DETR's PostProcess).
 * - sigmoid / none (RT-DETR, Deformable DETR, focal-loss heads): every class of every
 *   query is a candidate with its own probability; sorting and maxDetections then take
 *   the top K over queries x classes, as their evaluation does.
 *
 * Outputs are boxes [B, Q, 4] + logits [B, Q, C], or one combined [B, Q, 4 + C]
 * (Ultralytics RT-DETR export, scores already sigmoided). The logit column index minus
 * labelOffset is the class index; a background column is never a class.
 */
import type { DecodingConfig } from '../adapter-config';
import { Candidates } from '../candidates';
import type { ModelIO } from '../inspect-io';
import { queryRoles, type QueryRoles } from '../output-roles';
import { canvasCorners, classIndexOf, decodingOf, normalizedRegion, sigmoid } from './box-list';
import { batchSlice, outputNamed, toOriginal, type DecodeContext, type OutputMap } from './decoding';
import { provenanceText } from './matching';

function resolveQueryRoles(outputs: OutputMap, ctx: DecodeContext, family: string): QueryRoles {
  const r = ctx.config.outputs;
  if (r?.combined) return { combined: r.combined };
  if (r?.boxes && r.logits) return { boxes: r.boxes, logits: r.logits };
  const found = queryRoles(Object.entries(outputs).map(([name, t]) => ({ name, shape: t.dims, type: t.type ?? 'unknown' })));
  if ('why' in found) {
    const got = Object.entries(outputs).map(([n, t]) => `${n} [${t.dims.join(', ')}]`).join('; ');
    throw new Error(`${family} decoder: ${found.why} (outputs: ${got})`);
  }
  return found.roles;
}

export function decodeQueries(outputs: OutputMap, ctx: DecodeContext, family: string, fallback: DecodingConfig): Candidates {
  const config = ctx.config;
  const d = decodingOf(config, fallback);
  const roles = resolveQueryRoles(outputs, ctx, family);
  let boxData: Float32Array;
  let boxBase: number;
  let boxStride: number;
  let logitData: Float32Array;
  let logitBase: number;
  let logitStride: number;
  let columns: number;
  let queries: number;
  if ('combined' in roles) {
    const t = outputNamed(outputs, roles.combined, family);
    if (t.dims.length !== 3 || t.dims[2] < 5) throw new Error(`${family}: ${roles.combined} [${t.dims.join(', ')}] is not [B, Q, 4 + C]`);
    queries = t.dims[1];
    columns = t.dims[2] - 4;
    boxData = logitData = t.data;
    boxBase = batchSlice(t, roles.combined, ctx.batchIndex);
    logitBase = boxBase + 4;
    boxStride = logitStride = t.dims[2];
  } else {
    const b = outputNamed(outputs, roles.boxes, family);
    const l = outputNamed(outputs, roles.logits, family);
    if (b.dims.length !== 3 || b.dims[2] !== 4) throw new Error(`${family}: boxes ${roles.boxes} [${b.dims.join(', ')}] is not [B, Q, 4]`);
    if (l.dims.length !== 3 || l.dims[1] !== b.dims[1]) {
      throw new Error(`${family}: logits ${roles.logits} [${l.dims.join(', ')}] does not match boxes [${b.dims.join(', ')}]`);
    }
    queries = b.dims[1];
    columns = l.dims[2];
    boxData = b.data;
    boxBase = batchSlice(b, roles.boxes, ctx.batchIndex);
    boxStride = 4;
    logitData = l.data;
    logitBase = batchSlice(l, roles.logits, ctx.batchIndex);
    logitStride = columns;
  }
  const first = d.backgroundClass === 'first' ? 1 : 0;
  const end = d.backgroundClass === 'last' ? columns - 1 : columns;
  if (end <= first) throw new Error(`${family}: ${columns} logit columns leave no class besides the background`);
  const region = normalizedRegion(config, ctx);
  const thr = ctx.scoreThreshold;
  const out = new Candidates(Math.min(queries, 1024));
  const emit = (q: number, score: number, column: number): void => {
    const o = boxBase + q * boxStride;
    const [x1, y1, x2, y2] = canvasCorners(d, region, boxData[o], boxData[o + 1], boxData[o + 2], boxData[o + 3]);
    const [ox1, oy1, ox2, oy2] = toOriginal(ctx.transform, x1, y1, x2, y2);
    out.push(ox1, oy1, ox2, oy2, score, classIndexOf(column, d, config, family));
  };
  for (let q = 0; q < queries; q++) {
    const r = logitBase + q * logitStride;
    if (d.scoreActivation === 'softmax') {
      let max = -Infinity;
      for (let c = 0; c < columns; c++) max = Math.max(max, logitData[r + c]);
      let sum = 0;
      for (let c = 0; c < columns; c++) sum += Math.exp(logitData[r + c] - max);
      let best = first;
      for (let c = first + 1; c < end; c++) if (logitData[r + c] > logitData[r + best]) best = c;
      const p = Math.exp(logitData[r + best] - max) / sum;
      if (p >= thr) emit(q, p, best);
    } else {
      for (let c = first; c < end; c++) {
        const v = logitData[r + c];
        const p = d.scoreActivation === 'sigmoid' ? sigmoid(v) : v;
        if (p >= thr) emit(q, p, c);
      }
    }
  }
  return out;
}

/** Evidence shared by the DETR and RT-DETR matchers: which one the graph looks like (rt > 0: RT-DETR). */
export function detrEvidence(io: ModelIO): { rt: number; facts: string[] } {
  const text = provenanceText(io);
  const facts: string[] = [];
  let rt = 0;
  if (/rt-?detr/i.test(text)) {
    rt += 0.3;
    facts.push('metadata/producer names RT-DETR');
  } else if (/detr/i.test(text)) {
    rt -= 0.3;
    facts.push('metadata/producer names DETR');
  }
  if (io.opTypes.includes('GridSample') || io.opTypes.some((o) => /MultiScaleDeformableAttn/i.test(o))) {
    rt += 0.1;
    facts.push('GridSample ops (deformable attention: sigmoid/focal head)');
  }
  return { rt, facts };
}
