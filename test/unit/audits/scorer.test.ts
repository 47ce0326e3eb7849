/**
 * The scorer worker's cells (src/engine/audits/scorer.ts) fed by page sources: a source
 * that waits for units to be committed (the executor's streamed cells) gives the same
 * numbers and match record as one that hands every page at once; several cells stream
 * on one worker at once; a source that throws drops its cell and leaves the worker
 * scoring others. Real detections: YOLOX-Nano on KITTI (the pycocotools reference case).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GtAnnotation } from '../../../src/engine/cocoeval/cocoeval';
import { CommittedUnits } from '../../../src/engine/audits/executor';
import { packDetections, type RawDetection } from '../../../src/engine/audits/packing';
import { Scorer, type CellMapping, type UnitPage } from '../../../src/engine/audits/scorer';
import type { ClassMap } from '../../../src/shared/schemas';
import { cocoevalFixturesDir, loadCase } from '../cocoeval/fixtures';

function kittiCell() {
  const { gt, dets } = loadCase(path.join(cocoevalFixturesDir(), 'yolox_kitti'));
  const images = [...gt.images].sort((a, b) => a.id - b.id).map((im) => ({ id: im.id, width: im.width ?? 0, height: im.height ?? 0 }));
  const categories = gt.categories.map((c) => ({ id: c.id, name: c.name, cocoEquivalent: null }));
  const classNames = categories.map((c) => c.name);
  const byImage = new Map<number, RawDetection[]>();
  for (const d of dets) {
    const classIndex = categories.findIndex((c) => c.id === d.category_id);
    byImage.set(d.image_id, [...(byImage.get(d.image_id) ?? []), { bbox: d.bbox, score: d.score, classIndex }]);
  }
  const units = images.map((im, imagePos) => ({ imagePos, detections: packDetections(byImage.get(im.id) ?? []) }));
  const map = (scored: (name: string) => boolean): CellMapping => {
    const classMap: ClassMap = {
      version: 2,
      categories: categories.map((c) => ({ name: c.name, datasetCategories: [c.id], modelClasses: scored(c.name) ? [c.name] : [], ignore: [] })),
    };
    return { classMap, classNames, categories };
  };
  return { images, annotations: gt.annotations as GtAnnotation[], units, all: map(() => true), carOnly: map((name) => name === 'Car') };
}

/** A sorted in-memory "store" of committed units, read the way audits.unitPage reads SQLite. */
function memoryStore() {
  const stored = new Map<number, Uint8Array>();
  const reads: { after: number; limit: number }[] = [];
  const read = (after: number, limit: number): UnitPage => {
    reads.push({ after, limit });
    return [...stored.keys()]
      .filter((p) => p > after)
      .sort((a, b) => a - b)
      .slice(0, limit)
      .map((imagePos) => ({ imagePos, detections: stored.get(imagePos)! }));
  };
  return { stored, reads, read };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Image positions in a commit order a runner answering out of order could give: each run of 4 reversed. */
function outOfOrder(n: number): number[] {
  const order: number[] = [];
  for (let i = 0; i < n; i += 4) for (let j = Math.min(n, i + 4) - 1; j >= i; j--) order.push(j);
  return order;
}

describe('scoring cells from page sources', () => {
  const cell = kittiCell();
  let scorer: Scorer;
  let session: number;

  beforeAll(() => {
    scorer = new Scorer();
    session = scorer.openSession(cell.images, cell.annotations);
  });
  afterAll(async () => {
    await scorer.close();
  });

  /** The cell from all its pages at once (how a complete cell is scored at a block's end). */
  function scoreAtOnce(mapping: CellMapping) {
    let at = 0;
    return scorer.scoreCell(session, mapping, () => {
      const page = cell.units.slice(at, at + 16);
      at += page.length;
      return page;
    });
  }

  it('two cells streamed at once while their units are committed out of order equal the cells scored from all pages at once', async () => {
    const reference = [await scoreAtOnce(cell.all), await scoreAtOnce(cell.carOnly)];
    expect(reference[0].stats.AP).toBeGreaterThan(0);
    expect(reference[1].perCategory.map((c) => c.name)).toEqual(['Car']);

    const store = memoryStore();
    const sources = [0, 1].map(() => new CommittedUnits(cell.images.length, store.read, 8));
    let pagesBeforeLastCommit = 0;
    let committing = true;
    const streamed = [cell.all, cell.carOnly].map((mapping, k) =>
      scorer.scoreCell(session, mapping, async () => {
        const page = await sources[k].next();
        if (committing && page.length) pagesBeforeLastCommit++;
        return page;
      }),
    );
    expect(scorer.cellsInProgress).toBe(2);
    const order = outOfOrder(cell.units.length);
    for (let i = 0; i < order.length; i += 5) {
      const batch = order.slice(i, i + 5);
      for (const p of batch) store.stored.set(p, cell.units[p].detections);
      for (const s of sources) {
        for (const p of batch) s.commit(p);
        s.wakeUp();
      }
      await turn();
    }
    committing = false;
    const scored = await Promise.all(streamed);

    // the pages were read while units were still being committed, never past the frontier
    expect(pagesBeforeLastCommit).toBeGreaterThan(4);
    expect(store.reads.every((r) => r.limit >= 1 && r.limit <= 8)).toBe(true);
    for (const k of [0, 1]) {
      expect(scored[k].stats).toEqual(reference[k].stats);
      expect(scored[k].perCategory).toEqual(reference[k].perCategory);
      expect(scored[k].record).toEqual(reference[k].record);
      expect(scored[k].busyMs).toBeGreaterThan(0);
      expect(scored[k].busyMs).toBeLessThanOrEqual(scored[k].ms);
    }
    expect(scorer.cellsInProgress).toBe(0);
  });

  it('a source that throws while it waits drops the cell with that error, and the worker goes on scoring', async () => {
    const reference = await scoreAtOnce(cell.all);
    const store = memoryStore();
    const source = new CommittedUnits(cell.images.length, store.read, 8);
    const stopped = scorer.scoreCell(session, cell.all, () => source.next());
    for (const p of [0, 1, 2, 3]) {
      store.stored.set(p, cell.units[p].detections);
      source.commit(p);
    }
    source.wakeUp();
    await turn();
    expect(scorer.cellsInProgress).toBe(1);
    source.abandon(new Error('the run stopped before all units were stored'));
    await expect(stopped).rejects.toThrow('the run stopped before all units were stored');
    expect(scorer.cellsInProgress).toBe(0);

    // the worker goes on: the same cell, scored in full afterwards, has the numbers it had before
    const again = await scoreAtOnce(cell.all);
    expect(again.stats).toEqual(reference.stats);
    expect(again.record).toEqual(reference.record);
  });
});
