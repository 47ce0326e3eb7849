import { describe, expect, it } from 'vitest';
import { addClass, classMapRows, normaliseClassMap, removeClass, sameClassMap, unmappedSummary } from '../../../../src/renderer/src/view-models/class-map-edit';
import type { CategoryDto } from '../../../../src/shared/schemas';

const cat = (id: number, name: string, count: number): CategoryDto => ({ id, name, count, supercategory: null, cocoEquivalent: null });
const categories = [cat(1, 'Car', 180), cat(2, 'Van', 20), cat(3, 'Pedestrian', 37), cat(8, 'Misc', 9)];
const classNames = ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck'];

describe('class map editing', () => {
  it('normalises: every category listed, "07" read as 7, classes in the model order without duplicates', () => {
    expect(normaliseClassMap({ '01': ['truck', 'car', 'car'], 3: ['person'] }, categories, classNames)).toEqual({
      '1': ['car', 'truck'],
      '2': [],
      '3': ['person'],
      '8': [],
    });
  });

  it('adds and removes classes without touching the input, in the model order', () => {
    const draft = normaliseClassMap({ '1': ['car'] }, categories, classNames);
    const added = addClass(draft, 1, 'bus', classNames);
    expect(added['1']).toEqual(['car', 'bus']);
    expect(addClass(added, 1, 'person', classNames)['1']).toEqual(['person', 'car', 'bus']);
    expect(draft['1']).toEqual(['car']);
    expect(addClass(added, 1, 'bus', classNames)).toBe(added);
    expect(removeClass(added, 1, 'car')['1']).toEqual(['bus']);
    expect(addClass(draft, 2, 'car', classNames)['2']).toEqual(['car']);
  });

  it('rows mark unmapped and changed categories; the summary counts the annotations they exclude', () => {
    const inForce = normaliseClassMap({ '1': ['car'], '2': ['car'], '3': ['person'] }, categories, classNames);
    const draft = removeClass(inForce, 2, 'car');
    const rows = classMapRows(categories, draft, inForce);
    expect(rows.map((r) => [r.name, r.classes, r.unmapped, r.changed])).toEqual([
      ['Car', ['car'], false, false],
      ['Van', [], true, true],
      ['Pedestrian', ['person'], false, false],
      ['Misc', [], true, false],
    ]);
    expect(unmappedSummary(rows)).toEqual({ names: ['Van', 'Misc'], annotations: 29, withAnnotations: 2 });
  });

  it('compares maps as sets per category', () => {
    expect(sameClassMap({ '1': ['car', 'truck'] }, { '1': ['truck', 'car'], '2': [] })).toBe(true);
    expect(sameClassMap({ '1': ['car'] }, { '1': ['car', 'truck'] })).toBe(false);
    expect(sameClassMap({ '1': ['car'] }, { '2': ['car'] })).toBe(false);
  });
});
