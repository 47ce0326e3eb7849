/**
 * Model tags: the odra.* metadata read as the author's own words, the fingerprint read
 * where there is none (the real YOLOX-Nano as the uncompressed case; its fingerprint
 * altered to show zero weights, zero channels, fp16 and quantized ops), and the schema's
 * refusals.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintModel } from '../../../src/engine/models/fingerprint/model-fingerprint';
import type { ModelFingerprint } from '../../../src/shared/adapter';
import { modelTagsSchema, suggestTags, tagsFromMetadata, tagsLabel, UNTAGGED } from '../../../src/shared/model-tags';
import { sharedPath } from '../../helpers/shared';

let yolox: ModelFingerprint;

beforeAll(async () => {
  yolox = await fingerprintModel(sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx'));
});

const altered = (change: (fp: ModelFingerprint) => void): ModelFingerprint => {
  const fp = structuredClone(yolox);
  change(fp);
  return fp;
};

describe('suggestTags', () => {
  it('reads an uncompressed float32 model (YOLOX-Nano) as no compression, baseline', () => {
    const s = suggestTags(yolox, {});
    expect(s.source).toBe('fingerprint');
    expect(s.tags).toEqual(UNTAGGED);
    expect(s.reasons[0]).toMatch(/no sign of compression/);
  });

  it('reads a zero-weight share of 5% or more as unstructured pruning at that sparsity', () => {
    const fp = altered((f) => {
      f.weights.zeros = Math.round(f.weights.elements * 0.503);
      f.weights.zeroShare = f.weights.zeros / f.weights.elements;
    });
    expect(suggestTags(fp, {}).tags.compression).toEqual({ method: 'unstructured_pruning', rate: 50.3, rateUnit: 'sparsity_percent' });
    const below = altered((f) => {
      f.weights.zeroShare = 0.049;
    });
    expect(suggestTags(below, {}).tags.compression.method).toBe('none');
  });

  it('reads all-zero output channels as structured pruning with the kept share, before the weight sparsity they imply', () => {
    const fp = altered((f) => {
      f.channels.zeroChannels = Math.round(f.channels.channels * 0.25);
      f.channels.zeroShare = 0.25;
      f.weights.zeroShare = 0.25;
    });
    expect(suggestTags(fp, {}).tags.compression).toEqual({ method: 'structured_pruning', rate: 75, rateUnit: 'kept_channels_percent' });
  });

  it('reads quantized ops as int8 quantization and float16 weights as fp16', () => {
    const q = altered((f) => {
      f.quantization.schemes = ['qdq'];
      f.quantization.ops = { QuantizeLinear: 3, DequantizeLinear: 3 };
    });
    expect(suggestTags(q, {}).tags.compression).toEqual({ method: 'quantization', rate: 8, rateUnit: 'bits' });
    const half = altered((f) => {
      f.precision = { float16: f.precision.float32 };
    });
    expect(suggestTags(half, {}).tags.compression).toEqual({ method: 'fp16', rate: 16, rateUnit: 'bits' });
  });

  it('prefers the odra.* metadata over the fingerprint, and keeps the note and training', () => {
    const s = suggestTags(yolox, {
      'odra.compression.method': 'structured_pruning',
      'odra.compression.rate': '50',
      'odra.compression.rate_unit': 'kept_channels_percent',
      'odra.training': 'augmentation',
      'odra.note': 'pruned then fine-tuned with AugMix',
    });
    expect(s.source).toBe('metadata');
    expect(s.tags).toEqual({
      compression: { method: 'structured_pruning', rate: 50, rateUnit: 'kept_channels_percent' },
      training: 'augmentation',
      note: 'pruned then fine-tuned with AugMix',
    });
    expect(tagsLabel(s.tags)).toBe('structured (channel) pruning 50 % channels kept · augmentation');
  });

  it('ignores metadata outside the vocabulary: an unknown method falls back to the fingerprint, a rate without a known unit is dropped', () => {
    expect(tagsFromMetadata({ 'odra.compression.method': 'magic' })).toBeNull();
    const s = tagsFromMetadata({ 'odra.compression.method': 'unstructured_pruning', 'odra.compression.rate': '30', 'odra.compression.rate_unit': 'percent' });
    expect(s?.tags.compression).toEqual({ method: 'unstructured_pruning', rate: null, rateUnit: null });
    expect(s?.tags.training).toBe('baseline');
  });

  it('has nothing to suggest without a fingerprint', () => {
    expect(suggestTags(null, {})).toMatchObject({ source: 'none', tags: UNTAGGED });
  });
});

describe('modelTagsSchema', () => {
  it('refuses a rate without its unit, an unknown method and unknown keys', () => {
    expect(modelTagsSchema.safeParse({ ...UNTAGGED, compression: { method: 'fp16', rate: 16, rateUnit: null } }).success).toBe(false);
    expect(modelTagsSchema.safeParse({ ...UNTAGGED, compression: { method: 'zip', rate: null, rateUnit: null } }).success).toBe(false);
    expect(modelTagsSchema.safeParse({ ...UNTAGGED, colour: 'red' }).success).toBe(false);
    expect(modelTagsSchema.safeParse(UNTAGGED).success).toBe(true);
  });
});
