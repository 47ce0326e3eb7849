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
 */
import { OdraError } from '../../shared/errors';
import type { AdapterConfig, ModelFamily } from './adapter-config';
import { ADAPTER_FAMILIES, adapterFamily } from './adapters/registry';
import { describe, findImageInput, type AdapterDetection } from './adapters/matching';
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
    throw new OdraError('BAD_INPUT', `the names list has ${names.length} names but the model has ${want} classes`);
  }
  return {
    ...d,
    config: { ...d.config, classNames: [...names] },
    reason: `${d.reason}; class names replaced by the ${names.length} given names`,
  };
}

/**
 * Picks the family whose signature the model proves best. Throws an UNSUPPORTED
 * OdraError listing the model's inputs, outputs and each matcher's objection when
 * none fits. `only` forces a family (the import dialog's override).
 */
export function detectAdapter(io: ModelIO, only?: ModelFamily, options: DetectOptions = {}): AdapterDetection {
  const found = findImageInput(io);
  const tried: { family: ModelFamily; why: string }[] = [];
  let best: AdapterDetection | null = null;
  if ('input' in found) {
    for (const { family, match } of ADAPTER_FAMILIES) {
      if (only && family !== only) continue;
      const r = match(io, found.input);
      if (!r.ok) tried.push({ family, why: r.why });
      else if (!best || r.detection.confidence > best.confidence) best = r.detection;
    }
  } else {
    for (const { family } of ADAPTER_FAMILIES) if (!only || family === only) tried.push({ family, why: found.why });
  }
  if (best) return options.classNames ? applyNames(best, options.classNames) : best;
  const lines = [
    `No detector adapter matches this model${only ? ` as ${only}` : ''}.`,
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
