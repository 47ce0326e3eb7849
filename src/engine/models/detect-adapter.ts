/**
 * Recognises a detector family from a model's graph signature and metadata and builds
 * its default adapter config. Only what the graph proves is trusted: each family's
 * matcher (adapters/<family>.ts, listed in adapters/registry.ts) either explains why it
 * fits (with a confidence) or why it does not, and when nothing fits the error lists
 * what was found and every matcher's objection.
 *
 * Inputs: the declared I/O (inspect-io.ts); optionally a forced family and class names
 * from a names file. Output: the most confident detection; ties go to the earlier
 * family in the registry.
 *
 * Checks beyond the matchers (auto-detection only claims what it can account for):
 *   - the image input's fixed dimensions are positive and at most MAX_INPUT_SIDE pixels a
 *     side, else BAD_INPUT in words (a zero or absurd size is a broken export, not a family);
 *   - a family must account for every graph output: a match that would leave outputs
 *     unread (e.g. a NanoDet with one per-stride output removed, which RT-DETR's matcher
 *     would otherwise take as boxes + logits) is set aside, and when nothing else fits the
 *     model is refused, listing every candidate considered and why. A forced family
 *     (`only`) is used anyway, with the unread outputs named in its reason.
 */
import { OdraError } from '../../shared/errors';
import type { AdapterConfig, ModelFamily } from './adapter-config';
import { ADAPTER_FAMILIES, adapterFamily } from './adapters/registry';
import { describe, findImageInput, formatShape, type AdapterDetection } from './adapters/matching';
import type { ModelIO } from './inspect-io';

export type { AdapterDetection } from './adapters/matching';
export { formatShape, resolveClassNames } from './adapters/matching';

export interface DetectOptions {
  /** class names from a names file: replace metadata and defaults (count must fit when the graph fixes it) */
  classNames?: readonly string[];
}

/** Families whose class count comes from the graph; for the others any names list fits. */
function fixedClassCount(config: AdapterConfig): number | null {
  if (!adapterFamily(config.family).classCountInGraph) return null;
  if (config.outputs?.classes) return null; // RT-DETR deploy: labels
  return config.classNames.length;
}

function applyNames(d: AdapterDetection, names: readonly string[]): AdapterDetection {
  const want = fixedClassCount(d.config);
  if (want !== null && names.length !== want) {
    throw new OdraError('BAD_INPUT', `the names list has ${names.length} names but the model has ${want} classes`, { namesCount: names.length, classCount: want });
  }
  return {
    ...d,
    config: { ...d.config, classNames: [...names] },
    reason: `${d.reason}; class names replaced by the ${names.length} given names`,
  };
}

/** Largest image side a detector input may declare; larger ones are broken exports. */
export const MAX_INPUT_SIDE = 16384;

/** The graph outputs a detected config reads, or null when the decoder finds them at run time. */
export function outputsRead(config: AdapterConfig, io: ModelIO): string[] | null {
  if (config.family === 'nanodet') {
    const strides = config.strides ?? [8, 16, 32];
    return strides.flatMap((s) => [`cls_pred_stride_${s}`, `dis_pred_stride_${s}`]);
  }
  if (config.outputs) {
    const roles = Object.values(config.outputs).filter((n): n is string => typeof n === 'string');
    return roles.length ? [...new Set(roles)] : null;
  }
  // single-output families (YOLOX, YOLOv5/v8/v10) read the one rank-3 output
  const rank3 = io.outputs.filter((t) => t.shape.length === 3);
  return rank3.length === 1 ? [rank3[0].name] : null;
}

function unreadOutputs(config: AdapterConfig, io: ModelIO): string[] {
  const read = outputsRead(config, io);
  if (!read) return [];
  return io.outputs.map((t) => t.name).filter((n) => !read.includes(n));
}

/** A zero or absurd fixed image dimension, in words; null when the declared size is usable. */
export function inputSizeProblem(io: ModelIO): string | null {
  const found = findImageInput(io);
  if (!('input' in found)) return null;
  const input = io.inputs.find((i) => i.name === found.input.name);
  if (!input) return null;
  const sides: [string, number | null][] = [
    ['height', found.input.height],
    ['width', found.input.width],
  ];
  for (const [side, v] of sides) {
    if (v === 0) return `its image input ${input.name} ${formatShape(input.shape)} has a ${side} of 0 pixels: the export is broken (re-export it with the input size it was trained at)`;
    if (v !== null && v > MAX_INPUT_SIDE) {
      return `its image input ${input.name} ${formatShape(input.shape)} is ${v} pixels in ${side}; Odra takes image inputs of at most ${MAX_INPUT_SIDE} pixels a side`;
    }
  }
  if (input.shape.some((d) => d === 0)) return `its image input ${input.name} ${formatShape(input.shape)} has a dimension of 0: the export is broken`;
  return null;
}

/**
 * Picks the family whose signature the model proves best. Throws an UNSUPPORTED
 * OdraError listing the model's inputs, outputs and each matcher's objection when
 * none fits. `only` forces a family (the import dialog's override).
 */
export function detectAdapter(io: ModelIO, only?: ModelFamily, options: DetectOptions = {}): AdapterDetection {
  const sizeProblem = inputSizeProblem(io);
  if (sizeProblem) throw new OdraError('BAD_INPUT', `the model cannot be used: ${sizeProblem}`, { problems: [{ problem: sizeProblem }] });
  const found = findImageInput(io);
  const tried: { family: ModelFamily; why: string }[] = [];
  let best: AdapterDetection | null = null;
  if ('input' in found) {
    for (const { family, match } of ADAPTER_FAMILIES) {
      if (only && family !== only) continue;
      const r = match(io, found.input);
      if (!r.ok) {
        tried.push({ family, why: r.why });
        continue;
      }
      let detection = r.detection;
      const unread = unreadOutputs(detection.config, io);
      if (unread.length && !only) {
        tried.push({ family, why: `would fit (${Math.round(detection.confidence * 100)}%) but leaves ${unread.length} of ${io.outputs.length} outputs unread (${unread.join(', ')}), so it is not this family's export` });
        continue;
      }
      if (unread.length) detection = { ...detection, reason: `${detection.reason}; outputs not read: ${unread.join(', ')}` };
      if (!best || detection.confidence > best.confidence) best = detection;
    }
  } else {
    for (const { family } of ADAPTER_FAMILIES) if (!only || family === only) tried.push({ family, why: found.why });
  }
  if (best) return options.classNames ? applyNames(best, options.classNames) : best;
  const lines = [
    `No detector adapter matches this model${only ? ` as ${only}` : ''}${only ? '' : ' (choose the family by hand if you know it)'}. Candidates considered:`,
    `inputs: ${io.inputs.map(describe).join('; ') || 'none'}`,
    `outputs: ${io.outputs.map(describe).join('; ') || 'none'}`,
    ...tried.map((t) => `${t.family}: ${t.why}`),
  ];
  throw new OdraError('UNSUPPORTED', lines.join('\n  '), {
    inputs: io.inputs,
    outputs: io.outputs,
    problems: tried.map((t) => ({ problem: `${t.family}: ${t.why}` })),
  });
}
