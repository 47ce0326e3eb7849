/**
 * torchvision detection exports (SSD, SSDlite, RetinaNet, Faster R-CNN;
 * github.com/pytorch/vision, torch.onnx.export of torchvision.models.detection).
 *
 * Signature: outputs boxes [K, 4] xyxy in input pixels, scores [K], labels [K] (int64
 * COCO category ids 1..90), no detection count; usually an unbatched [3, H, W] input.
 * Decoding: rows as they are (box-list.ts), no NMS (an end-to-end family).
 * Defaults: the graph normalises (ImageNet mean/std) and resizes itself, so Odra feeds
 * RGB / 255 stretched to the fixed size (the in-graph resize is then a no-op); 300 when
 * the size is open; names from metadata, else torchvision's 91-entry COCO id table.
 */
import { COCO91_CLASS_NAMES, DECODE_PIXELS_XYXY } from '../adapter-config';
import type { ModelIO } from '../inspect-io';
import { boxListEvidence, decodeBoxListOutputs } from './box-list';
import type { Decoder } from './decoding';
import type { AdapterFamily } from './family';
import { finish, resolveInput, resolveLabelNames, type FamilyDefaults, type FoundInput, type MatchResult } from './matching';

const DEFAULTS: FamilyDefaults = {
  family: 'ssd',
  preprocessing: { resize: 'stretch', align: 'top-left', padValue: 0, channelOrder: 'RGB', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  defaultInputSize: 300,
};
const DECODING = DECODE_PIXELS_XYXY;

function matchSsd(io: ModelIO, found: FoundInput): MatchResult {
  const e = boxListEvidence(io, found);
  if ('why' in e) return { ok: false, why: e.why };
  const { roles, batched, facts } = e;
  const input = resolveInput(found, io.metadata, DEFAULTS);
  if (roles.count) return { ok: false, why: `has a detection count output (${roles.count}): NMS-in-graph layout, not torchvision's` };
  if (!roles.classes) return { ok: false, why: 'no labels output beside boxes and scores' };
  let confidence = 0.75;
  if (found.layout === 'CHW' || !batched) {
    confidence = 0.88;
    facts.push(found.layout === 'CHW' ? 'unbatched [3, H, W] input as torchvision exports' : 'unbatched [K, 4] boxes as torchvision exports');
  }
  if ([roles.boxes, roles.scores, roles.classes].join() === 'boxes,scores,labels') confidence += 0.05;
  const names = resolveLabelNames(io.metadata, COCO91_CLASS_NAMES, 'assumed torchvision COCO category ids (91 entries, index 0 background)');
  facts.push('boxes xyxy in input pixels');
  if (!names.known) confidence -= 0.05;
  return finish({ defaults: DEFAULTS, input, found, names, confidence, facts, extras: { decoding: { ...DECODING }, outputs: roles } });
}

const decodeSsd: Decoder = (outputs, ctx) => decodeBoxListOutputs(outputs, ctx, 'SSD', DECODING);

export const SSD: AdapterFamily = { ...DEFAULTS, match: matchSsd, decode: decodeSsd, classCountInGraph: false };
