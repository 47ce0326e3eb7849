import { describe, expect, it } from 'vitest';
import { modelTagsFromMetadata } from '../../../src/shared/report';

describe('modelTagsFromMetadata', () => {
  it('reads the odra.* metadata keys, the rate as a number', () => {
    const { tags, problems } = modelTagsFromMetadata({
      'odra.compression.method': ' structured pruning ',
      'odra.compression.rate': '50',
      'odra.compression.rate_unit': '% channels kept',
      'odra.training': 'baseline',
      names: "{0: 'person'}",
    });
    expect(problems).toEqual([]);
    expect(tags).toEqual({ method: 'structured pruning', rate: 50, rate_unit: '% channels kept', training: 'baseline', note: null });
  });

  it('is null for a model with none of the keys (other metadata is not a tag)', () => {
    expect(modelTagsFromMetadata({ names: "{0: 'person'}", 'odra.compression.method': '  ' })).toEqual({ tags: null, problems: [] });
  });

  it('leaves out a rate that is not a number and says why', () => {
    const { tags, problems } = modelTagsFromMetadata({ 'odra.compression.rate': 'half', 'odra.note': 'int8 PTQ' });
    expect(tags).toEqual({ method: null, rate: null, rate_unit: null, training: null, note: 'int8 PTQ' });
    expect(problems).toEqual(['odra.compression.rate "half" is not a number']);
  });
});
