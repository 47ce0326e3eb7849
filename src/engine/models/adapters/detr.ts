/**
 * DETR (facebookresearch/detr and transformers' DetrForObjectDetection ONNX exports).
 *
 * Signature: a batched image input (optionally a pixel_mask [N, H, W]), outputs boxes
 * [B, Q, 4] (normalized cxcywh) and logits [B, Q, C + 1] whose last column is "no
 * object"; COCO checkpoints have 91 + 1 columns and 100 queries. Provenance text that
 * names DETR (not RT-DETR) raises the confidence, deformable-attention ops lower it.
 * Decoding: softmax over the columns, each query its best real class (DETR's
 * PostProcess; query-head.ts), no NMS (an end-to-end family).
 * Defaults: RGB, ImageNet mean/std, aspect kept with padding at the bottom-right
 * (top-left letterbox); 800 when the size is open; names from metadata, else by count.
 */
import type { DecodingConfig } from '../adapter-config';
import type { ModelIO } from '../inspect-io';
import { queryRoles } from '../output-roles';
import type { Decoder } from './decoding';
import type { AdapterFamily } from './family';
import { finish, resolveClassNames, resolveInput, roleCandidates, type FamilyDefaults, type FoundInput, type MatchResult } from './matching';
import { decodeQueries, detrEvidence } from './query-head';

const DEFAULTS: FamilyDefaults = {
  family: 'detr',
  preprocessing: {
    resize: 'letterbox',
    align: 'top-left',
    padValue: 114,
    channelOrder: 'RGB',
    scale: 1 / 255,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
  },
  defaultInputSize: 800,
};
const DECODING: DecodingConfig = { boxFormat: 'cxcywh', boxUnits: 'normalized', scoreActivation: 'softmax', backgroundClass: 'last', labelOffset: 0 };

function matchDetr(io: ModelIO, found: FoundInput): MatchResult {
  const sizeInput = found.extras.find((e) => e.fill !== 'valid-mask');
  if (sizeInput) return { ok: false, why: `DETR exports take no ${sizeInput.name} input` };
  if (found.layout === 'CHW') return { ok: false, why: 'expects a batched [N, 3, H, W] input' };
  const input = resolveInput(found, io.metadata, DEFAULTS);
  const evidence = detrEvidence(io);
  const q = queryRoles(roleCandidates(io));
  if ('why' in q) return { ok: false, why: q.why };
  const cols = q.classColumns;
  if ('combined' in q.roles) return { ok: false, why: 'one combined [B, Q, 4 + C] output is the Ultralytics RT-DETR layout, not DETR' };
  if (cols === null) return { ok: false, why: `logits ${q.roles.logits} has no fixed class dimension` };
  const mask = found.extras.find((e) => e.fill === 'valid-mask');
  const facts = [`outputs boxes ${q.roles.boxes} [B, ${q.queries ?? 'Q'}, 4] (normalized cxcywh) and logits ${q.roles.logits} [B, Q, ${cols}]`, ...evidence.facts];
  // C real classes + 1 "no object" column; COCO checkpoints have 91 + 1.
  if (cols < 2) return { ok: false, why: `${cols} logit columns: no room for a class and "no object"` };
  let confidence = cols === 92 || cols === 81 ? 0.8 : 0.6;
  if (q.queries === 100) confidence += 0.05;
  if (mask) {
    confidence += 0.1;
    facts.push(`input ${mask.name} fed 1 on image pixels, 0 on padding`);
  }
  const names = resolveClassNames(io.metadata, cols - 1);
  facts.push(`softmax over ${cols - 1} classes + "no object" (last column)`);
  confidence -= evidence.rt;
  if (!names.known) confidence -= 0.05;
  return finish({
    defaults: DEFAULTS,
    input,
    found,
    names,
    confidence,
    facts,
    extras: { decoding: DECODING, outputs: q.roles, extraInputs: mask ? [mask] : undefined },
  });
}

const decodeDetr: Decoder = (outputs, ctx) => decodeQueries(outputs, ctx, 'DETR', DECODING);

export const DETR: AdapterFamily = { ...DEFAULTS, match: matchDetr, decode: decodeDetr, classCountInGraph: true };
