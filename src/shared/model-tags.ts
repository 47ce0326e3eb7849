/**
 * Model tags: what an analyst says a model is (how it was compressed, how much, how it
 * was trained), so audits can be read as a compression sweep. Stored with the model,
 * copied into every audit's provenance.
 *
 *   compression.method  none | unstructured_pruning | structured_pruning | quantization |
 *                       fp16 | distillation | other
 *   compression.rate    a number whose meaning is rateUnit (null: not stated)
 *   compression.rateUnit sparsity_percent (share of weights that are zero, 0..100) |
 *                       kept_channels_percent (share of output channels kept, 0..100) |
 *                       bits (weight bit width)
 *   training            baseline | augmentation | imbalance (an imbalance method) | other
 *   note                free text
 *
 * The vocabulary is the one the ONNX metadata_props keys odra.compression.method,
 * odra.compression.rate, odra.compression.rate_unit, odra.training and odra.note use
 * (training/demo-detectors/odra_demo/export.py writes them).
 *
 * suggestTags: the metadata keys when present (they are the model author's own words),
 * else what the compression fingerprint can tell: quantized ops or int8 weights ->
 * quantization, 8 bits; float16 weights as the main precision -> fp16, 16 bits; at least
 * 5% all-zero output channels -> structured pruning with the kept share; at least 5% zero
 * weights -> unstructured pruning with that sparsity; otherwise none. Trained weights are
 * practically never exactly zero, so 5% zeros is not an accident. A suggestion is only
 * ever a default: the user's tags replace it.
 */
import { z } from 'zod';
import type { ModelFingerprint } from './adapter';

export const COMPRESSION_METHODS = [
  'none',
  'unstructured_pruning',
  'structured_pruning',
  'quantization',
  'fp16',
  'distillation',
  'other',
] as const;
export type CompressionMethod = (typeof COMPRESSION_METHODS)[number];

export const RATE_UNITS = ['sparsity_percent', 'kept_channels_percent', 'bits'] as const;
export type RateUnit = (typeof RATE_UNITS)[number];

export const TRAINING_INTERVENTIONS = ['baseline', 'augmentation', 'imbalance', 'other'] as const;
export type TrainingIntervention = (typeof TRAINING_INTERVENTIONS)[number];

export const COMPRESSION_LABELS: Record<CompressionMethod, string> = {
  none: 'none',
  unstructured_pruning: 'unstructured pruning',
  structured_pruning: 'structured (channel) pruning',
  quantization: 'quantization',
  fp16: 'fp16',
  distillation: 'distillation',
  other: 'other',
};
export const RATE_UNIT_LABELS: Record<RateUnit, string> = {
  sparsity_percent: '% sparsity',
  kept_channels_percent: '% channels kept',
  bits: 'bits',
};
export const TRAINING_LABELS: Record<TrainingIntervention, string> = {
  baseline: 'baseline',
  augmentation: 'augmentation',
  imbalance: 'imbalance method',
  other: 'other',
};

export const modelTagsSchema = z
  .object({
    compression: z
      .object({
        method: z.enum(COMPRESSION_METHODS),
        rate: z.number().finite().min(0).max(1000).nullable(),
        rateUnit: z.enum(RATE_UNITS).nullable(),
      })
      .strict()
      .refine((c) => c.rate === null || c.rateUnit !== null, { message: 'a compression rate needs its unit' }),
    training: z.enum(TRAINING_INTERVENTIONS),
    note: z.string().max(2000),
  })
  .strict();
export type ModelTags = z.infer<typeof modelTagsSchema>;

export const tagSuggestionSchema = z.object({
  tags: modelTagsSchema,
  source: z.enum(['metadata', 'fingerprint', 'none']),
  /** why each tag was suggested, for the model page */
  reasons: z.array(z.string()),
});
export type TagSuggestion = z.infer<typeof tagSuggestionSchema>;

export const UNTAGGED: ModelTags = { compression: { method: 'none', rate: null, rateUnit: null }, training: 'baseline', note: '' };

/** The share above which zero weights or channels read as pruning, not chance. */
export const PRUNING_SHARE = 0.05;

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | null {
  return value !== undefined && (values as readonly string[]).includes(value) ? (value as T) : null;
}

/** Tags from the odra.* metadata_props; null when the model carries no odra.compression.method. */
export function tagsFromMetadata(metadata: Record<string, string>): TagSuggestion | null {
  const method = oneOf(COMPRESSION_METHODS, metadata['odra.compression.method']?.trim());
  if (!method) return null;
  const reasons = [`odra.compression.method = ${method} in the model's metadata`];
  const rateText = metadata['odra.compression.rate']?.trim();
  const rateValue = rateText !== undefined && rateText !== '' ? Number(rateText) : NaN;
  const rateUnit = oneOf(RATE_UNITS, metadata['odra.compression.rate_unit']?.trim());
  const rate = Number.isFinite(rateValue) && rateValue >= 0 && rateValue <= 1000 && rateUnit ? rateValue : null;
  if (rate !== null) reasons.push(`odra.compression.rate = ${rate} ${rateUnit}`);
  const training = oneOf(TRAINING_INTERVENTIONS, metadata['odra.training']?.trim()) ?? 'baseline';
  if (metadata['odra.training'] !== undefined) reasons.push(`odra.training = ${training}`);
  const note = (metadata['odra.note'] ?? '').slice(0, 2000);
  return { tags: { compression: { method, rate, rateUnit: rate === null ? null : rateUnit }, training, note }, source: 'metadata', reasons };
}

/** What the fingerprint alone can tell about compression; training is never visible in weights. */
export function tagsFromFingerprint(fp: ModelFingerprint | null): TagSuggestion {
  if (!fp) return { tags: UNTAGGED, source: 'none', reasons: ['no fingerprint: nothing to suggest from'] };
  const withMethod = (method: CompressionMethod, rate: number | null, rateUnit: RateUnit | null, reason: string): TagSuggestion => ({
    tags: { ...UNTAGGED, compression: { method, rate, rateUnit } },
    source: 'fingerprint',
    reasons: [reason],
  });
  const quantOps = Object.values(fp.quantization.ops).reduce((a, b) => a + b, 0);
  const int8 = (fp.precision.int8?.elements ?? 0) + (fp.precision.uint8?.elements ?? 0);
  if (fp.quantization.schemes.length > 0 || quantOps > 0) {
    return withMethod('quantization', int8 > 0 || quantOps > 0 ? 8 : null, int8 > 0 || quantOps > 0 ? 'bits' : null,
      `quantized ops (${fp.quantization.schemes.join(', ') || `${quantOps} ops`}) in the graph`);
  }
  const totalWeights = Object.values(fp.precision).reduce((a, c) => a + c.elements, 0);
  const fp16 = fp.precision.float16?.elements ?? 0;
  if (totalWeights > 0 && fp16 / totalWeights > 0.5) {
    return withMethod('fp16', 16, 'bits', `${round1((100 * fp16) / totalWeights)}% of the weights are float16`);
  }
  if (fp.channels.channels > 0 && fp.channels.zeroShare >= PRUNING_SHARE) {
    return withMethod('structured_pruning', round1(100 * (1 - fp.channels.zeroShare)), 'kept_channels_percent',
      `${fp.channels.zeroChannels} of ${fp.channels.channels} output channels are all zero`);
  }
  if (fp.weights.elements > 0 && fp.weights.zeroShare >= PRUNING_SHARE) {
    return withMethod('unstructured_pruning', round1(100 * fp.weights.zeroShare), 'sparsity_percent',
      `${round1(100 * fp.weights.zeroShare)}% of the weights are exactly zero`);
  }
  return withMethod('none', null, null, `no sign of compression (${round1(100 * fp.weights.zeroShare)}% zero weights, no quantized ops, float32)`);
}

/** The model author's metadata when present, else the fingerprint's reading. */
export function suggestTags(fp: ModelFingerprint | null, metadata: Record<string, string>): TagSuggestion {
  return tagsFromMetadata(metadata) ?? tagsFromFingerprint(fp);
}

/** "unstructured pruning 50% sparsity · augmentation" */
export function tagsLabel(tags: ModelTags): string {
  const c = tags.compression;
  const rate = c.rate !== null && c.rateUnit ? ` ${c.rate}${c.rateUnit === 'bits' ? ' bits' : ` ${RATE_UNIT_LABELS[c.rateUnit]}`}` : '';
  return `${COMPRESSION_LABELS[c.method]}${rate} · ${TRAINING_LABELS[tags.training]}`;
}
