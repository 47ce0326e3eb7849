/**
 * Which output of a multi-output detector is which: the boxes, the scores, the class
 * labels, the detection count (post-NMS exports) or the class logits (DETR family).
 * Names are the strongest evidence (exporters name them, and TensorRT's EfficientNMS
 * fixes them); shapes and element types decide the rest. Used by adapter detection
 * on the declared graph outputs and by the decoders on actual tensors when the config
 * does not name the outputs.
 */
import type { OutputRoles } from '../../shared/adapter';

export interface RoleCandidate {
  name: string;
  /** declared or actual dims; null/strings for unknown or symbolic dims */
  shape: readonly (number | string | null)[];
  /** element type in onnxruntime's spelling; 'unknown' when not known */
  type: string;
}

const FLOAT_TYPES = new Set(['float32', 'float16', 'float64', 'bfloat16']);
const INT_TYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64']);

export const isFloatType = (t: string): boolean => FLOAT_TYPES.has(t);
export const isIntType = (t: string): boolean => INT_TYPES.has(t);

const BOX_NAME = /box|bbox/i;
const SCORE_NAME = /score|conf|prob/i;
const CLASS_NAME = /class|label|cls/i;
const COUNT_NAME = /^num|num_?det|count|valid/i;
const LOGIT_NAME = /logit/i;

function last(shape: readonly (number | string | null)[]): number | string | null | undefined {
  return shape[shape.length - 1];
}

/** Elements per batch item, when fixed. */
function isCountShape(shape: readonly (number | string | null)[]): boolean {
  if (shape.length === 0) return true;
  if (shape.length === 1) return true; // [B]
  return shape.length === 2 && shape[1] === 1; // [B, 1]
}

export type BoxListRoles = Required<Pick<OutputRoles, 'boxes' | 'scores'>> & Pick<OutputRoles, 'classes' | 'count'>;

/**
 * Roles of a post-NMS box list: boxes [.., K, 4], scores [.., K], classes [.., K],
 * optionally a count [B, 1]. Returns why not when the outputs do not have that form.
 */
export function boxListRoles(outputs: readonly RoleCandidate[]): { roles: BoxListRoles } | { why: string } {
  const boxCands = outputs.filter((o) => (o.shape.length === 2 || o.shape.length === 3) && last(o.shape) === 4 && !isIntType(o.type));
  if (boxCands.length === 0) return { why: 'no boxes output [K, 4] or [B, K, 4]' };
  const boxes = boxCands.find((o) => BOX_NAME.test(o.name)) ?? (boxCands.length === 1 ? boxCands[0] : null);
  if (!boxes) return { why: `several [.., 4] outputs (${boxCands.map((o) => o.name).join(', ')}) and none named *box*` };
  const rank = boxes.shape.length - 1;
  const rest = outputs.filter((o) => o !== boxes);
  const count = rest.find((o) => COUNT_NAME.test(o.name) && isCountShape(o.shape));
  const k = boxes.shape[rank - 1];
  const perBox = rest.filter((o) => {
    if (o === count || o.shape.length !== rank) return false;
    const ok = o.shape[rank - 1];
    return typeof ok !== 'number' || typeof k !== 'number' || ok === k;
  });
  const scoresByName = perBox.find((o) => SCORE_NAME.test(o.name) && !isIntType(o.type));
  const classesByName = perBox.find((o) => CLASS_NAME.test(o.name) && o !== scoresByName);
  let scores = scoresByName;
  let classes = classesByName;
  if (!classes) classes = perBox.find((o) => isIntType(o.type) && o !== scores);
  if (!scores) scores = perBox.find((o) => !isIntType(o.type) && o !== classes);
  if (!scores) return { why: `boxes ${boxes.name} has no matching scores output of rank ${rank}` };
  const roles: BoxListRoles = { boxes: boxes.name, scores: scores.name };
  if (classes) roles.classes = classes.name;
  if (count) roles.count = count.name;
  return { roles };
}

export type QueryRoles = { boxes: string; logits: string } | { combined: string };

/**
 * Roles of a query head (DETR family): boxes [B, Q, 4] and logits [B, Q, C] with the
 * same Q, or one combined [B, Q, 4 + C] tensor (Ultralytics RT-DETR).
 */
export function queryRoles(outputs: readonly RoleCandidate[]): { roles: QueryRoles; queries: number | null; classColumns: number | null } | { why: string } {
  const rank3 = outputs.filter((o) => o.shape.length === 3 && isFloatType(o.type === 'unknown' ? 'float32' : o.type));
  const boxCands = rank3.filter((o) => last(o.shape) === 4);
  const logitCands = rank3.filter((o) => !boxCands.includes(o) || (boxCands.length > 1 && LOGIT_NAME.test(o.name)));
  if (boxCands.length >= 1 && logitCands.length >= 1) {
    const boxes = boxCands.find((o) => BOX_NAME.test(o.name)) ?? boxCands[0];
    const logits = logitCands.find((o) => o !== boxes && (LOGIT_NAME.test(o.name) || CLASS_NAME.test(o.name) || SCORE_NAME.test(o.name))) ?? logitCands.find((o) => o !== boxes);
    if (logits) {
      const q = boxes.shape[1];
      if (typeof q === 'number' && typeof logits.shape[1] === 'number' && logits.shape[1] !== q) {
        return { why: `${boxes.name} has ${q} queries but ${logits.name} has ${logits.shape[1]}` };
      }
      const c = last(logits.shape);
      return { roles: { boxes: boxes.name, logits: logits.name }, queries: typeof q === 'number' ? q : null, classColumns: typeof c === 'number' ? c : null };
    }
  }
  if (outputs.length === 1 && rank3.length === 1) {
    const d = last(rank3[0].shape);
    if (typeof d === 'number' && d >= 5) {
      const q = rank3[0].shape[1];
      return { roles: { combined: rank3[0].name }, queries: typeof q === 'number' ? q : null, classColumns: d - 4 };
    }
  }
  return { why: 'expects boxes [B, Q, 4] with logits [B, Q, C], or one [B, Q, 4 + C] output' };
}
