/**
 * RT-DETR (lyuwenyu/RT-DETR deploy exports, transformers' RTDetrForObjectDetection,
 * Ultralytics' RT-DETR export).
 *
 * Signatures (a batched image input, never a pixel_mask):
 * - deploy export: an orig_target_sizes [N, 2] input (Odra feeds the canvas size, so
 *   boxes come out in canvas pixels) and outputs boxes / scores / labels after the
 *   graph's own top-k;
 * - Ultralytics: one output [B, Q, 4 + C], per query normalized cxcywh + class scores;
 * - raw head: boxes [B, Q, 4] (normalized cxcywh) + logits [B, Q, C]; 300 queries and
 *   80 / 91 columns are typical.
 * Provenance text naming RT-DETR and deformable-attention (GridSample) ops raise the
 * confidence. Decoding: sigmoid (focal) scores, every class of every query a candidate,
 * top-k by maxDetections (query-head.ts), or the deploy rows as they are (box-list.ts);
 * no NMS (an end-to-end family).
 * Defaults: plain resize to the input size, RGB / 255; 640 when the size is open.
 */
import { COCO80_CLASS_NAMES, type DecodingConfig } from '../adapter-config';
import { matchStrides } from '../grids';
import type { ModelIO } from '../inspect-io';
import { boxListRoles, queryRoles } from '../output-roles';
import { decodeBoxListOutputs } from './box-list';
import type { Decoder } from './decoding';
import type { AdapterFamily } from './family';
import {
  finish,
  isUltralytics,
  resolveClassNames,
  resolveInput,
  resolveLabelNames,
  roleCandidates,
  type FamilyDefaults,
  type FoundInput,
  type MatchResult,
} from './matching';
import { decodeQueries, detrEvidence } from './query-head';

const DEFAULTS: FamilyDefaults = {
  family: 'rtdetr',
  preprocessing: { resize: 'stretch', align: 'top-left', padValue: 114, channelOrder: 'RGB', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  defaultInputSize: 640,
};
const DECODING: DecodingConfig = { boxFormat: 'cxcywh', boxUnits: 'normalized', scoreActivation: 'sigmoid', backgroundClass: 'none', labelOffset: 0 };

function matchRtdetr(io: ModelIO, found: FoundInput): MatchResult {
  const sizeInput = found.extras.find((e) => e.fill !== 'valid-mask');
  if (found.layout === 'CHW') return { ok: false, why: 'expects a batched [N, 3, H, W] input' };
  const input = resolveInput(found, io.metadata, DEFAULTS);
  const evidence = detrEvidence(io);
  const lean = evidence.rt;
  // The deploy export: its postprocessor in the graph scales boxes by orig_target_sizes.
  if (sizeInput) {
    const r = boxListRoles(roleCandidates(io));
    if ('why' in r) return { ok: false, why: `has ${sizeInput.name} but ${r.why}` };
    if (!r.roles.classes) return { ok: false, why: `has ${sizeInput.name} but no labels output` };
    const facts = [
      `input ${sizeInput.name} (fed the input canvas size, so boxes come out in canvas pixels) and outputs ${r.roles.boxes}/${r.roles.scores}/${r.roles.classes}: RT-DETR deploy export`,
      ...evidence.facts,
    ];
    const names = resolveLabelNames(io.metadata, COCO80_CLASS_NAMES, 'assumed COCO-80 (deploy labels are 0-based)');
    return finish({
      defaults: DEFAULTS,
      input,
      found,
      names,
      confidence: 0.9 + Math.max(0, lean) - (names.known ? 0 : 0.05),
      facts,
      extras: {
        decoding: { boxFormat: 'xyxy', boxUnits: 'pixels', scoreActivation: 'none', backgroundClass: 'none', labelOffset: 0 },
        outputs: r.roles,
        extraInputs: [sizeInput],
      },
    });
  }
  const q = queryRoles(roleCandidates(io));
  if ('why' in q) return { ok: false, why: q.why };
  const cols = q.classColumns;
  if ('combined' in q.roles) {
    const qn = q.queries;
    if (qn !== null && (matchStrides(qn, input.width, input.height, 1) || (cols !== null && matchStrides(cols + 4, input.width, input.height, 1)))) {
      return { ok: false, why: 'the [B, a, b] output fits a YOLO grid, not a query head' };
    }
    const facts = [`one output ${q.roles.combined} [B, ${qn ?? 'Q'}, 4 + ${cols ?? 'C'}]: per query cxcywh (normalized) + class scores`, ...evidence.facts];
    let confidence = 0.45 + lean;
    if (isUltralytics(io.metadata)) {
      confidence += 0.2;
      facts.push('Ultralytics metadata');
    }
    const names = cols !== null ? resolveClassNames(io.metadata, cols) : resolveLabelNames(io.metadata, COCO80_CLASS_NAMES, 'assumed COCO-80');
    return finish({
      defaults: DEFAULTS,
      input,
      found,
      names,
      confidence,
      facts,
      extras: { decoding: { boxFormat: 'cxcywh', boxUnits: 'normalized', scoreActivation: 'none', backgroundClass: 'none', labelOffset: 0 }, outputs: q.roles },
    });
  }
  if (cols === null) return { ok: false, why: `logits ${q.roles.logits} has no fixed class dimension` };
  const mask = found.extras.find((e) => e.fill === 'valid-mask');
  if (mask) return { ok: false, why: `RT-DETR exports take no ${mask.name} input` };
  const facts = [`outputs boxes ${q.roles.boxes} [B, ${q.queries ?? 'Q'}, 4] (normalized cxcywh) and logits ${q.roles.logits} [B, Q, ${cols}]`, ...evidence.facts];
  let confidence = cols === 80 || cols === 91 ? 0.75 : 0.55;
  if (q.queries === 300) confidence += 0.05;
  const names = resolveClassNames(io.metadata, cols);
  facts.push(`sigmoid (focal) scores over ${cols} classes, top-k over queries x classes`);
  confidence += lean;
  if (!names.known) confidence -= 0.05;
  return finish({ defaults: DEFAULTS, input, found, names, confidence, facts, extras: { decoding: DECODING, outputs: q.roles } });
}

/** The raw query head, or its deploy export (boxes/scores/labels after top-k). */
const decodeRtdetr: Decoder = (outputs, ctx) => {
  const r = ctx.config.outputs;
  const deploy = r ? Boolean(r.scores) && !r.logits && !r.combined : Object.keys(outputs).some((n) => /label/i.test(n));
  return deploy ? decodeBoxListOutputs(outputs, ctx, 'RT-DETR', DECODING) : decodeQueries(outputs, ctx, 'RT-DETR', DECODING);
};

export const RTDETR: AdapterFamily = { ...DEFAULTS, match: matchRtdetr, decode: decodeRtdetr, classCountInGraph: true };
