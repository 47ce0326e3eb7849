/**
 * The audit executor against an in-process runner stand-in (test/helpers/fake-runner.ts):
 * planning what is left, the task window, writing units with their cell counters,
 * scoring cells as blocks complete (streamed while their block runs), pausing,
 * cancelling, a runner that dies, a task that fails, re-scoring without inference, and
 * evaluations as one-cell audits; and the streamed cells' page source (CommittedUnits).
 * The runner itself runs real models in test/integration/audits.
 */
import { appendFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditCell, JobEvent, JobInfo } from '../../../src/shared/audits';
import { Engine } from '../../../src/engine/engine';
import { CommittedUnits, type RunStats } from '../../../src/engine/audits/executor';
import type { UnitPage } from '../../../src/engine/audits/scorer';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import type { OdraClient } from '../../../src/shared/client';
import type { ClassMap } from '../../../src/shared/schemas';
import { FakeRunnerLauncher, type FakeBehaviour } from '../../helpers/fake-runner';
import { makeGoodDataset, makeTempDir, removeDir, type CocoJson } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';

const MODEL_A = sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx');
const MODEL_B = sharedPath('data', 'models', 'nanodet_m', 'nanodet_m.onnx');
const CONDITIONS = { corruptions: ['gaussian_noise' as const, 'fog' as const], severities: [1, 4] };
const IMAGES = 4;

describe('audit executor', () => {
  let temp: string;
  let datasetDir: string;
  let json: CocoJson;
  const engines: Engine[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('executor');
    datasetDir = path.join(temp, 'dataset');
    json = await makeGoodDataset(datasetDir, IMAGES);
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  /** GT boxes as the fake runner's detections: COCO category -> the model's class of the same name. */
  function boxes(classNames: readonly string[]): Map<number, [number, number, number, number, number][]> {
    const nameOf = new Map(json.categories.map((c) => [c.id, c.name]));
    const out = new Map<number, [number, number, number, number, number][]>();
    for (const a of json.annotations) {
      const classIndex = classNames.indexOf(nameOf.get(a.category_id) ?? '');
      if (classIndex < 0) continue;
      out.set(a.image_id, [...(out.get(a.image_id) ?? []), [...a.bbox, classIndex] as [number, number, number, number, number]]);
    }
    return out;
  }

  async function setup(dbName: string, behaviour: FakeBehaviour = {}, onAuditRunStats?: (stats: RunStats) => void, streamedImageEvals?: number) {
    const launcher = new FakeRunnerLauncher(new Map(), behaviour);
    const engine = new Engine({
      dbPath: path.join(temp, dbName),
      runnerLauncher: launcher,
      ...(onAuditRunStats ? { onAuditRunStats } : {}),
      ...(streamedImageEvals ? { streamedImageEvals } : {}),
    });
    engines.push(engine);
    const client = inProcessClient(engine);
    const dataset = await client.call('datasets.import', { dir: datasetDir });
    const a = await client.call('models.import', { path: MODEL_A });
    const b = await client.call('models.import', { path: MODEL_B });
    launcher.boxes = boxes(a.adapter.classNames);
    return { engine, client, dataset, models: [a, b], launcher };
  }

  async function watch(client: OdraClient, jobId: string, onEvent?: (e: JobEvent) => void): Promise<{ info: JobInfo; events: JobEvent[] }> {
    const events: JobEvent[] = [];
    const info = await client.call(
      'jobs.watch',
      { id: jobId },
      {
        onEvent: (e) => {
          events.push(e);
          onEvent?.(e);
        },
      },
    );
    return { info, events };
  }

  const key = (c: AuditCell): string => `${c.modelPosition}:${c.conditionIndex}`;

  it('runs every unit once, block by block, scores every cell and reports each as it finishes', async () => {
    const { engine, client, dataset, models, launcher } = await setup('full.db');
    const { audit, jobId } = await client.call('audits.start', { modelIds: models.map((m) => m.id), datasetId: dataset.id, conditions: CONDITIONS, workers: 1 });
    expect(audit.unitsTotal).toBe(IMAGES * 5 * 2);
    expect(audit.cellsTotal).toBe(10);
    expect(audit.conditions.map((c) => `${c.corruption}/${c.severity}`)).toEqual(['clean/0', 'gaussian_noise/1', 'gaussian_noise/4', 'fog/1', 'fog/4']);
    const { info, events } = await watch(client, jobId);
    expect(info.status).toBe('done');

    // one task per (block, image), blocks in order: clean, gaussian_noise, fog
    expect(launcher.tasks.map((t) => t.corruption)).toEqual([...Array<null>(IMAGES).fill(null), ...Array<string>(IMAGES).fill('gaussian_noise'), ...Array<string>(IMAGES).fill('fog')]);
    const units = launcher.tasks.flatMap((t) => t.conditions.flatMap((c) => c.models.map((m) => `${t.imagePos}:${c.conditionPos}:${m}`)));
    expect(new Set(units).size).toBe(units.length);
    expect(units).toHaveLength(40);
    // the window: workers 1 -> at most max(4, 2 * 1 + 1) tasks outstanding
    expect(launcher.maxOutstanding).toBeLessThanOrEqual(4);
    expect(launcher.maxOutstanding).toBeGreaterThan(1);

    const cellEvents = events.filter((e) => e.type === 'cell');
    expect(cellEvents.map((e) => key(e.cell)).sort()).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4', '1:0', '1:1', '1:2', '1:3', '1:4']);
    // the clean cells come first (their block ends first) and every event carries its metrics
    expect(cellEvents.slice(0, 2).map((e) => e.cell.conditionIndex)).toEqual([0, 0]);
    for (const e of cellEvents) {
      expect(e.cell.stats!.AP).toBeGreaterThan(0);
      expect(e.perCategory.length).toBeGreaterThan(0);
    }
    const cells = await client.call('audits.cells', { id: audit.id });
    expect(cells.every((c) => c.stats !== null)).toBe(true);
    // the numbers differ per model and condition, as the detections do
    expect(new Set(cells.map((c) => c.stats!.AP)).size).toBeGreaterThan(5);
    const done = await client.call('audits.get', { id: audit.id });
    expect([done.status, done.unitsDone, done.cellsDone, done.resumable]).toEqual(['done', 40, 10, false]);
    expect(done.provenance!.dataset.contentHash).toBe(dataset.contentHash);
    expect(done.provenance!.models.map((m) => m.sha256)).toEqual(models.map((m) => m.sha256));
    expect(done.models.map((m) => m.executionProvider)).toEqual(['cpu', 'cpu']);
    // per (cell, category) rows, filtered
    const fog4 = await client.call('audits.metrics', { id: audit.id, modelId: models[1].id, corruption: 'fog', severity: 4 });
    expect(fog4.length).toBeGreaterThan(0);
    expect(fog4.every((r) => r.modelId === models[1].id && r.corruption === 'fog' && r.severity === 4)).toBe(true);
    expect(engine.db.pragma('integrity_check', { simple: true })).toBe('ok');

    // every cell has its match record, and the analysis from them equals the scored cells
    const records = engine.db.prepare('SELECT COUNT(*) AS n FROM audit_cells WHERE audit_id = ? AND record IS NOT NULL').get(audit.id) as { n: number };
    expect(records.n).toBe(10);
    const analysis = await client.call('audits.analysis', { id: audit.id, bootstrap: 20 });
    expect(analysis.bootstrap.resamples).toBe(20);
    for (const [m, model] of analysis.models.entries()) {
      for (const [c, condition] of model.conditions.entries()) {
        const cell = cells.find((x) => x.modelPosition === m && x.conditionIndex === c)!;
        expect(condition.AP.value, `model ${m} condition ${c}`).toBe(cell.stats!.AP);
      }
    }
    expect(analysis.models[0].baseline).toBe(true);
    expect(analysis.models[1].delta!.P.ci95).not.toBeNull();
    // a finished audit's analysis is stored: the second call reads it back
    expect(await client.call('audits.analysis', { id: audit.id, bootstrap: 20 })).toEqual(analysis);
    const result = await client.call('audits.result', { id: audit.id, bootstrap: 20 });
    expect(result.models.map((x) => x.P)).toEqual(analysis.models.map((x) => x.P.value));
    expect(result.conditions).toHaveLength(10);
  });

  it('a runner that dies leaves the audit interrupted; resume asks only for the missing units and ends with the same numbers', async () => {
    const reference = await setup('reference.db');
    const input = { modelIds: reference.models.map((m) => m.id), datasetId: reference.dataset.id, conditions: CONDITIONS, workers: 1 };
    const ref = await reference.client.call('audits.start', input);
    expect((await watch(reference.client, ref.jobId)).info.status).toBe('done');
    const expected = await reference.client.call('audits.cells', { id: ref.audit.id });

    const { engine, client, dataset, models, launcher: dying } = await setup('interrupted.db', { dieAfterResults: 5 });
    const first = await client.call('audits.start', { ...input, modelIds: models.map((m) => m.id), datasetId: dataset.id });
    const { info } = await watch(client, first.jobId);
    expect(info.status).toBe('interrupted');
    expect(info.error).toMatch(/the runner process was killed \(SIGKILL\) after \d+ of 40 units; resume continues from the last stored unit/);
    const stopped = await client.call('audits.get', { id: first.audit.id });
    expect(stopped.status).toBe('interrupted');
    expect(stopped.resumable).toBe(true);
    const doneBefore = stopped.unitsDone;
    expect(doneBefore).toBeGreaterThan(0);
    expect(doneBefore).toBeLessThan(40);
    // the cells streaming when the runner died were dropped from the scorer, none saved half-done
    expect(engine['scorer']?.cellsInProgress).toBe(0);
    const saved = engine.db.prepare('SELECT COUNT(*) AS n FROM audit_cells WHERE audit_id = ? AND stats_json IS NOT NULL AND units_done < ?').get(first.audit.id, IMAGES) as { n: number };
    expect(saved.n).toBe(0);

    dying.behaviour = {};
    dying.tasks.length = 0;
    const again = await client.call('audits.resume', { id: first.audit.id });
    expect((await watch(client, again.jobId)).info.status).toBe('done');
    const rerun = dying.tasks.reduce((n, t) => n + t.conditions.reduce((m, c) => m + c.models.length, 0), 0);
    expect(rerun).toBe(40 - doneBefore);
    const cells = await client.call('audits.cells', { id: first.audit.id });
    expect(cells.map((c) => [key(c), c.stats])).toEqual(expected.map((c) => [key(c), c.stats]));
    expect(engine.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('a task that fails fails the audit with a message naming the file, resumable once fixed', async () => {
    const { client, dataset, models, launcher } = await setup('failing.db', { failAtTask: 2 });
    const { audit, jobId } = await client.call('audits.start', { modelIds: [models[0].id], datasetId: dataset.id, conditions: CONDITIONS });
    const { info } = await watch(client, jobId);
    expect([info.status, info.errorCode]).toEqual(['failed', 'BAD_INPUT']);
    expect(info.error).toMatch(/cannot decode image .*images\/.*: broken/);
    const failed = await client.call('audits.get', { id: audit.id });
    expect([failed.status, failed.resumable]).toEqual(['failed', true]);
    launcher.behaviour = {};
    const again = await client.call('audits.resume', { id: audit.id });
    expect((await watch(client, again.jobId)).info.status).toBe('done');
  });

  /** Resolves once `check` holds, polling between event-loop turns (no fixed sleep). */
  async function until(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('pause stores the tasks in flight and leaves the audit paused; cancel keeps what was stored and ends it for good', async () => {
    const { engine, client, dataset, models, launcher } = await setup('pause.db', { holdAfterResults: 3 });
    const { audit, jobId } = await client.call('audits.start', { modelIds: models.map((m) => m.id), datasetId: dataset.id, conditions: CONDITIONS, workers: 1 });
    const watching = watch(client, jobId);
    await until(() => launcher.answered === 3 && launcher.tasks.length > 3, 'three answers and more tasks in flight');
    const pausing = client.call('audits.pause', { id: audit.id });
    launcher.release();
    const paused = await pausing;
    expect((await watching).info.status).toBe('paused');
    expect(paused.status).toBe('paused');
    // every task sent was answered and stored: nothing in flight is lost
    const sent = launcher.tasks.reduce((n, t) => n + t.conditions.reduce((m, c) => m + c.models.length, 0), 0);
    expect(paused.unitsDone).toBe(sent);
    expect(paused.unitsDone).toBeLessThan(40);

    launcher.behaviour = { holdAfterResults: launcher.answered + 2 };
    const resumed = await client.call('audits.resume', { id: audit.id });
    expect(resumed.jobId).not.toBe(jobId);
    const watchingAgain = watch(client, resumed.jobId);
    const answered = launcher.answered;
    await until(() => launcher.answered === answered + 2, 'two more answers');
    const after = await client.call('audits.cancel', { id: audit.id });
    expect((await watchingAgain).info.status).toBe('cancelled');
    expect([after.status, after.resumable]).toEqual(['cancelled', false]);
    expect(after.unitsDone).toBeGreaterThan(paused.unitsDone);
    expect(after.unitsDone).toBeLessThan(40);
    expect(engine['scorer']?.cellsInProgress).toBe(0);
    await expect(client.call('audits.resume', { id: audit.id })).rejects.toThrow(/only paused, interrupted or failed audits resume/);
    expect(engine.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('an engine that starts on a store with an audit left running marks it interrupted and offers it for resume', async () => {
    const { engine, client, dataset, models, launcher } = await setup('left-running.db', { dieAfterResults: 3 });
    const { audit, jobId } = await client.call('audits.start', { modelIds: [models[0].id], datasetId: dataset.id, conditions: CONDITIONS });
    await watch(client, jobId);
    await engine.close();
    engines.splice(engines.indexOf(engine), 1);
    // what a SIGKILLed engine leaves behind
    const raw = new Database(path.join(temp, 'left-running.db'));
    raw.prepare("UPDATE audits SET status = 'running', error = NULL WHERE id = ?").run(audit.id);
    raw.close();
    const reopened = new Engine({ dbPath: path.join(temp, 'left-running.db'), runnerLauncher: new FakeRunnerLauncher(launcher.boxes) });
    engines.push(reopened);
    expect(reopened.interruptedAtStart).toEqual([audit.id]);
    const summary = await inProcessClient(reopened).call('audits.get', { id: audit.id });
    expect([summary.status, summary.resumable]).toEqual(['interrupted', true]);
    expect(summary.error).toMatch(/Odra stopped while this audit ran/);
    const again = await inProcessClient(reopened).call('audits.resume', { id: audit.id });
    expect((await watch(inProcessClient(reopened), again.jobId)).info.status).toBe('done');
  });

  it('closing the engine pauses its running audits (SIGTERM of odra serve)', async () => {
    const { engine, client, dataset, models, launcher } = await setup('shutdown.db', { holdAfterResults: 4 });
    const { audit, jobId } = await client.call('audits.start', { modelIds: models.map((m) => m.id), datasetId: dataset.id, conditions: CONDITIONS });
    const watching = watch(client, jobId);
    await until(() => launcher.answered === 4, 'four answers');
    const closing = engine.close();
    launcher.release();
    await closing;
    engines.splice(engines.indexOf(engine), 1);
    expect((await watching).info.status).toBe('paused');
    const raw = new Database(path.join(temp, 'shutdown.db'), { readonly: true });
    const row = raw.prepare('SELECT status, (SELECT SUM(units_done) FROM audit_cells WHERE audit_id = audits.id) AS done FROM audits WHERE id = ?').get(audit.id) as {
      status: string;
      done: number;
    };
    raw.close();
    expect(row.status).toBe('paused');
    expect(row.done).toBeGreaterThan(0);
    expect(row.done).toBeLessThan(40);
  });

  it('a model file or an image changed since import fails the run with BAD_INPUT naming it, before anything runs', async () => {
    const dir = path.join(temp, 'changing');
    const ownDataset = path.join(dir, 'dataset');
    const own = await makeGoodDataset(ownDataset, 2);
    const modelCopy = path.join(dir, 'model.onnx');
    await copyFile(MODEL_A, modelCopy);
    const launcher = new FakeRunnerLauncher();
    const engine = new Engine({ dbPath: path.join(temp, 'changing.db'), runnerLauncher: launcher });
    engines.push(engine);
    const client = inProcessClient(engine);
    const dataset = await client.call('datasets.import', { dir: ownDataset });
    const model = await client.call('models.import', { path: modelCopy });
    const input = { modelIds: [model.id], datasetId: dataset.id, conditions: {} };
    expect((await watch(client, (await client.call('audits.start', input)).jobId)).info.status).toBe('done');

    await appendFile(modelCopy, Buffer.from([0]));
    const changedModel = await client.call('audits.start', input);
    const failed = (await watch(client, changedModel.jobId)).info;
    expect([failed.status, failed.errorCode]).toEqual(['failed', 'BAD_INPUT']);
    expect(failed.error).toContain(`${modelCopy}: model model changed since it was imported`);
    expect(failed.error).toMatch(/re-import it/);
    expect(launcher.launches).toBe(1);

    await copyFile(MODEL_A, modelCopy);
    const image = path.join(ownDataset, 'images', own.images[1].file_name);
    await appendFile(image, Buffer.from([0]));
    const changedImage = await client.call('audits.start', input);
    const alsoFailed = (await watch(client, changedImage.jobId)).info;
    expect([alsoFailed.status, alsoFailed.errorCode]).toEqual(['failed', 'BAD_INPUT']);
    expect(alsoFailed.error).toContain(`${image}: image ${image} of dataset dataset changed since it was imported`);
    expect(launcher.launches).toBe(1);
  });

  it('re-scores with another class map without running a model, and evaluations are one-cell audits', async () => {
    const { client, dataset, models, launcher } = await setup('rescore.db');
    const evaluation = await client.call('evaluations.run', { modelId: models[0].id, datasetId: dataset.id });
    expect(evaluation.status).toBe('done');
    const [cell] = await client.call('audits.cells', { id: evaluation.id });
    expect(evaluation.stats).toEqual(cell.stats);
    expect((await client.call('evaluations.list', {})).map((e) => e.id)).toEqual([evaluation.id]);
    // the stored detections, mapped as they were scored
    const dets = await client.call('evaluations.detections', { id: evaluation.id });
    expect(dets.length).toBe([...launcher.boxes.values()].reduce((n, b) => n + b.length, 0));

    const launches = launcher.launches;
    const carOnly: ClassMap = {
      version: 2,
      categories: dataset.categories.map((c) => ({ name: c.name, datasetCategories: [c.id], modelClasses: c.name === 'car' ? ['car'] : [], ignore: [] })),
    };
    const { jobId } = await client.call('audits.rescore', { id: evaluation.id, classMaps: { [String(models[0].id)]: carOnly } });
    expect((await watch(client, jobId)).info.status).toBe('done');
    expect(launcher.launches).toBe(launches);
    const after = await client.call('evaluations.get', { id: evaluation.id });
    expect(after.perCategory.map((c) => c.name)).toEqual(['car']);
    expect(after.classMap).toEqual(carOnly);
    expect(after.stats!.AP).toBe(after.perCategory[0].AP);
  });

  /** Every cell's stats, match record and per-category rows, as stored. */
  async function storedScores(engine: Engine, client: OdraClient, auditId: number) {
    const cells = (await client.call('audits.cells', { id: auditId })).map((c) => [key(c), c.stats] as const);
    const records = engine.db.prepare('SELECT model_pos, condition_pos, record FROM audit_cells WHERE audit_id = ? ORDER BY model_pos, condition_pos').all(auditId);
    const metrics = await client.call('audits.metrics', { id: auditId });
    return { cells, records, metrics };
  }

  it('scores every cell while its block runs, from the stored units, whatever order the runner answers in: the numbers a re-score gives', async () => {
    const runs: RunStats[] = [];
    const { engine, client, dataset, models, launcher } = await setup('streamed.db', { outOfOrder: true }, (r) => runs.push(r));
    const { audit, jobId } = await client.call('audits.start', { modelIds: models.map((m) => m.id), datasetId: dataset.id, conditions: CONDITIONS, workers: 1 });
    const { info, events } = await watch(client, jobId);
    expect(info.status).toBe('done');
    // the runner answered out of order (units of a cell were committed out of image order)
    expect(launcher.answeredSeqs).not.toEqual([...launcher.answeredSeqs].sort((a, b) => a - b));
    expect([runs[0].cellsScored, runs[0].cellsStreamed]).toEqual([10, 10]);
    expect(runs[0].scoreSeconds).toBeGreaterThan(0);
    const cellEvents = events.filter((e) => e.type === 'cell').map((e) => key(e.cell));
    expect(cellEvents.sort()).toEqual([...new Set(cellEvents)].sort());
    expect(cellEvents).toHaveLength(10);
    expect(engine['scorer']?.cellsInProgress).toBe(0);
    const streamed = await storedScores(engine, client, audit.id);
    expect(streamed.cells.every(([, stats]) => stats !== null && stats.AP > 0)).toBe(true);

    const { jobId: rescoring } = await client.call('audits.rescore', { id: audit.id });
    expect((await watch(client, rescoring)).info.status).toBe('done');
    expect(await storedScores(engine, client, audit.id)).toEqual(streamed);
  });

  it('streams only as many cells as the bound allows and scores the rest at their block\'s end, with the numbers a re-score gives', async () => {
    const runs: RunStats[] = [];
    // room for 3 cells of 4 images on the scorer at once
    const { engine, client, dataset, models } = await setup('stream-bound.db', {}, (r) => runs.push(r), 3 * IMAGES);
    const { audit, jobId } = await client.call('audits.start', { modelIds: models.map((m) => m.id), datasetId: dataset.id, conditions: CONDITIONS, workers: 1 });
    let most = 0;
    let running = true;
    const watching = watch(client, jobId).finally(() => (running = false));
    while (running) {
      most = Math.max(most, engine['scorer']?.cellsInProgress ?? 0);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await watching).info.status).toBe('done');
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
    expect(runs[0].cellsScored).toBe(10);
    expect(runs[0].cellsStreamed).toBeGreaterThan(1);
    expect(runs[0].cellsStreamed).toBeLessThan(10);
    const scored = await storedScores(engine, client, audit.id);
    const { jobId: rescoring } = await client.call('audits.rescore', { id: audit.id });
    expect((await watch(client, rescoring)).info.status).toBe('done');
    expect(await storedScores(engine, client, audit.id)).toEqual(scored);
  });

  it('a pause in the middle of a block drops its streamed cells unsaved; the resumed run scores them at its end, each cell once, with an uninterrupted run\'s numbers', async () => {
    const reference = await setup('stream-reference.db');
    const input = { modelIds: reference.models.map((m) => m.id), datasetId: reference.dataset.id, conditions: CONDITIONS, workers: 1 };
    const ref = await reference.client.call('audits.start', input);
    expect((await watch(reference.client, ref.jobId)).info.status).toBe('done');
    const expected = await storedScores(reference.engine, reference.client, ref.audit.id);

    const runs: RunStats[] = [];
    // 6 answers: the clean block and half of gaussian_noise's; the window holds the first fog tasks
    const { engine, client, launcher } = await setup('stream-pause.db', { holdAfterResults: 6 }, (r) => runs.push(r));
    const { audit, jobId } = await client.call('audits.start', input);
    const cellEvents: string[] = [];
    const onEvent = (e: JobEvent): void => {
      if (e.type === 'cell') cellEvents.push(key(e.cell));
    };
    const watching = watch(client, jobId, onEvent);
    await until(() => launcher.answered === 6 && launcher.tasks.some((t) => t.corruption === 'fog'), 'six answers and a fog task sent');
    const pausing = client.call('audits.pause', { id: audit.id });
    launcher.release();
    await pausing;
    expect((await watching).info.status).toBe('paused');

    const progress = engine.db.prepare('SELECT model_pos, condition_pos, units_done, stats_json IS NOT NULL AS scored FROM audit_cells WHERE audit_id = ?').all(audit.id) as {
      units_done: number;
      scored: number;
    }[];
    // a cell is saved iff all its units are stored; the fog cells streamed and were dropped
    for (const c of progress) expect(c.scored === 1, JSON.stringify(c)).toBe(c.units_done === IMAGES);
    const partial = progress.filter((c) => c.units_done > 0 && c.units_done < IMAGES);
    expect(partial.length).toBeGreaterThan(0);
    expect(runs[0].cellsStreamed).toBe(runs[0].cellsScored);
    expect(runs[0].cellsScored).toBe(progress.filter((c) => c.scored === 1).length);
    expect(engine['scorer']?.cellsInProgress).toBe(0);

    const resumed = await client.call('audits.resume', { id: audit.id });
    expect((await watch(client, resumed.jobId, onEvent)).info.status).toBe('done');
    // the partly stored cells are scored at their block's end, the untouched ones streamed
    expect(runs[1].cellsScored).toBe(10 - runs[0].cellsScored);
    expect(runs[1].cellsStreamed).toBe(runs[1].cellsScored - partial.length);
    expect(cellEvents).toHaveLength(10);
    expect(new Set(cellEvents).size).toBe(10);
    expect(await storedScores(engine, client, audit.id)).toEqual(expected);
  });
});

describe('the page source of a streamed cell', () => {
  /** A store of units by image position, read like audits.unitPage (ascending, after a position, at most `limit`). */
  function store(images: number) {
    const stored = new Set<number>();
    const reads: { after: number; limit: number }[] = [];
    const read = (after: number, limit: number): UnitPage => {
      reads.push({ after, limit });
      return [...stored]
        .filter((p) => p > after)
        .sort((a, b) => a - b)
        .slice(0, limit)
        .map((imagePos) => ({ imagePos, detections: new Uint8Array([imagePos]) }));
    };
    const source = new CommittedUnits(images, read, 3);
    const commit = (...positions: number[]): void => {
      for (const p of positions) {
        stored.add(p);
        source.commit(p);
      }
      source.wakeUp();
    };
    return { source, commit, reads, stored };
  }

  const positions = (page: UnitPage): number[] => page.map((u) => u.imagePos);
  const settled = async <T>(p: Promise<T>): Promise<boolean> => {
    let done = false;
    void p.then(() => (done = true), () => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    return done;
  };

  it('gives only positions below the first uncommitted one, in pages, waits for more, and ends once every image is in', async () => {
    const { source, commit, reads } = store(8);
    commit(2, 1);
    // 0 is not committed: nothing may be given yet, though 1 and 2 are stored
    const first = source.next();
    expect(await settled(first)).toBe(false);
    commit(0);
    expect(positions(await first)).toEqual([0, 1, 2]);
    commit(5, 3, 4, 7);
    expect(positions(await source.next())).toEqual([3, 4, 5]);
    const waiting = source.next();
    expect(await settled(waiting)).toBe(false);
    expect(source.ended).toBe(false);
    commit(6);
    expect(source.ended).toBe(true);
    expect(positions(await waiting)).toEqual([6, 7]);
    expect(await source.next()).toEqual([]);
    // every read asked for exactly the committed positions after the cursor
    expect(reads).toEqual([
      { after: -1, limit: 3 },
      { after: 2, limit: 3 },
      { after: 5, limit: 2 },
    ]);
  });

  it('a store without a committed unit is an error naming where; an abandoned source throws its reason while it waits', async () => {
    const missing = store(4);
    missing.source.commit(0);
    missing.source.commit(1);
    await expect(missing.source.next()).rejects.toThrow(/the store holds 0 of the 2 committed units after image position -1/);

    const { source, commit } = store(4);
    commit(0);
    expect(positions(await source.next())).toEqual([0]);
    const waiting = source.next();
    source.abandon(new Error('the run stopped'));
    await expect(waiting).rejects.toThrow('the run stopped');
    await expect(source.next()).rejects.toThrow('the run stopped');
  });
});
