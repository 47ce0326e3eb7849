import { describe, expect, it } from 'vitest';
import {
  addClass,
  addIgnore,
  classMapRows,
  draftProblems,
  mergeRows,
  normaliseClassMap,
  removeClass,
  removeIgnore,
  renameRow,
  sameClassMap,
  splitRow,
  unmappedSummary,
} from '../../../../src/renderer/src/view-models/class-map-edit';
import type { CategoryDto, ClassMap } from '../../../../src/shared/schemas';

const cat = (id: number, name: string, count: number): CategoryDto => ({ id, name, count, supercategory: null, cocoEquivalent: null });
const categories = [cat(1, 'Car', 180), cat(2, 'Van', 20), cat(3, 'Pedestrian', 37), cat(8, 'Misc', 9)];
const classNames = ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck'];
const entry = (name: string, ids: number[], classes: string[], ignore: number[] = []) => ({ name, datasetCategories: ids, modelClasses: classes, ignore });
/** the KITTI suggestion for a COCO model */
const suggested: ClassMap = normaliseClassMap(
  { version: 2, categories: [entry('Car', [1], ['car'], [2]), entry('Pedestrian', [3], ['person'])] },
  categories,
  classNames,
);
const rowsOf = (draft: ClassMap, inForce = suggested) => classMapRows(categories, draft, inForce);

describe('class map editing', () => {
  it('normalises: every category in a row, ids sorted, classes in the model order without duplicates', () => {
    expect(normaliseClassMap({ version: 2, categories: [entry('Car', [1], ['truck', 'car', 'car'])] }, categories, classNames)).toEqual({
      version: 2,
      categories: [entry('Car', [1], ['car', 'truck']), entry('Van', [2], []), entry('Pedestrian', [3], []), entry('Misc', [8], [])],
    });
  });

  it('rows show each evaluation category with its members, classes, ignore rules and what its categories are ignore regions for', () => {
    expect(rowsOf(suggested).map((r) => [r.id, r.name, r.count, r.classes, r.ignore.map((i) => i.name), r.ignoredFor, r.unmapped, r.changed])).toEqual([
      [1, 'Car', 180, ['car'], ['Van'], [], false, false],
      [2, 'Van', 20, [], [], ['Car'], true, false],
      [3, 'Pedestrian', 37, ['person'], [], [], false, false],
      [8, 'Misc', 9, [], [], [], true, false],
    ]);
    expect(unmappedSummary(rowsOf(suggested))).toEqual({ names: ['Van', 'Misc'], annotations: 29, withAnnotations: 2 });
  });

  it('adds and removes classes without touching the input, in the model order', () => {
    const added = addClass(suggested, 1, 'bus', classNames);
    expect(added.categories[0].modelClasses).toEqual(['car', 'bus']);
    expect(addClass(added, 1, 'person', classNames).categories[0].modelClasses).toEqual(['person', 'car', 'bus']);
    expect(suggested.categories[0].modelClasses).toEqual(['car']);
    expect(addClass(added, 1, 'bus', classNames)).toBe(added);
    expect(removeClass(added, 1, 'car').categories[0].modelClasses).toEqual(['bus']);
  });

  it('merges Van into Car as one category, named "Car + Van" until the analyst names it; the ignore rule on its own member goes', () => {
    const merged = mergeRows(suggested, 1, 2, classNames);
    expect(merged.categories[0]).toEqual(entry('Car + Van', [1, 2], ['car']));
    expect(merged.categories).toHaveLength(3);
    const named = renameRow(merged, 1, 'vehicle');
    const row = rowsOf(named)[0];
    expect([row.name, row.merged, row.members.map((m) => m.name), row.count, row.changed]).toEqual(['vehicle', true, ['Car', 'Van'], 200, true]);
    // merging the other way round gives the same category (its id is the smallest member's)
    expect(mergeRows(suggested, 2, 1, classNames).categories[0].datasetCategories).toEqual([1, 2]);
    // a merge into a merge keeps its name
    expect(mergeRows(named, 1, 8, classNames).categories[0]).toMatchObject({ name: 'vehicle', datasetCategories: [1, 2, 8] });
  });

  it('splits a category out of a merge (not scored on its own); a merge left with one category takes its name back', () => {
    const named = renameRow(mergeRows(suggested, 1, 2, classNames), 1, 'vehicle');
    const split = splitRow(named, 1, 2, categories);
    expect(split.categories.slice(0, 2)).toEqual([entry('Car', [1], ['car']), entry('Van', [2], [])]);
    expect(splitRow(suggested, 1, 1, categories)).toBe(suggested);
  });

  it('adds and removes ignore rules; never one for its own category', () => {
    const ignoring = addIgnore(suggested, 3, 8);
    expect(ignoring.categories.find((c) => c.name === 'Pedestrian')!.ignore).toEqual([8]);
    expect(addIgnore(suggested, 1, 1).categories[0].ignore).toEqual([2]);
    expect(removeIgnore(suggested, 1, 2).categories[0].ignore).toEqual([]);
    expect(rowsOf(removeIgnore(suggested, 1, 2))[1].ignoredFor).toEqual([]);
  });

  it("a class added to a second category is refused in the engine's words (it would be counted twice); so is an unnamed merge", () => {
    expect(draftProblems(suggested, classNames, categories)).toEqual([]);
    const twice = addClass(suggested, 2, 'car', classNames);
    expect(draftProblems(twice, classNames, categories)).toEqual([
      expect.stringMatching(/^model class "car" is mapped to "Car" and "Van": every car detection would be scored twice/),
    ]);
    expect(draftProblems(renameRow(mergeRows(suggested, 1, 2, classNames), 1, '  '), classNames, categories)).toEqual([
      'the category of Car + Van needs a name',
    ]);
  });

  it('compares maps by evaluation category: classes and ignore rules as sets, names trimmed', () => {
    const reordered: ClassMap = { version: 2, categories: [...suggested.categories].reverse() };
    expect(sameClassMap(suggested, reordered)).toBe(true);
    expect(sameClassMap(suggested, renameRow(suggested, 1, ' Car '))).toBe(true);
    expect(sameClassMap(suggested, renameRow(suggested, 1, 'Auto'))).toBe(false);
    expect(sameClassMap(suggested, addIgnore(suggested, 1, 8))).toBe(false);
    expect(sameClassMap(suggested, mergeRows(suggested, 1, 2, classNames))).toBe(false);
  });
});
