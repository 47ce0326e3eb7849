/**
 * The same plan and seed give byte-identical corrupted images and identical numbers
 * whatever the corruption worker count, batch size and interruption history (a pause, a killed runner); and `odra corrupt --db --audit`
 * regenerates exactly the pixels the audit fed its models. Real runner process, real
 * corruption kernels; models: NanoDet-m 0.5x (fixed batch 1) and a small convolutional
 * detector with a dynamic batch (test/helpers/conv-detector.ts), on KITTI images.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../src/shared/audits';
import type { OdraClient } from '../../../src/shared/client';
import { Engine } from '../../../src/engine/engine';
import { decodeImage } from '../../../src/engine/images/decode';
import { inProcessClient } from '../../../src/engine/rpc/in-process';
import { writeConvDetector } from '../../helpers/conv-detector';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../helpers/odra-cli';
import { runnerOf } from '../../helpers/processes';
import { sharedPath } from '../../helpers/shared';

const CONDITIONS = { corruptions: ['gaussian_noise' as const, 'motion_blur' as const, 'contrast' as const], severities: [2, 5] };

describe('audit determinism', () => {
  let temp: string;
  let engine: Engine;
  let client: OdraClient;

  beforeAll(async () => {
    await ensureCliBuilt();
    temp = await makeTempDir('determinism');
    engine = new Engine({ dbPath: path.join(temp, 'odra.db') });
    client = inProcessClient(engine);
  });
  afterAll(async () => {
    await engine.close();
    await removeDir(temp);
  });

  async function until(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 300_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function units(auditId: number): Map<string, string> {
    const rows = engine.db
      .prepare('SELECT condition_pos, model_pos, image_pos, detections FROM audit_units WHERE audit_id = ?')
      .all(auditId) as { condition_pos: number; model_pos: number; image_pos: number; detections: Buffer }[];
    return new Map(rows.map((r) => [`${r.condition_pos}:${r.model_pos}:${r.image_pos}`, createHash('sha256').update(r.detections).digest('hex')]));
  }

  it('worker count, batch size, a pause and a killed runner change no byte and no number', async () => {
    const dataset = await client.call('datasets.import', { dir: sharedPath('data', 'datasets', 'kitti_tiny_2d') });
    const conv = await client.call('models.import', { path: await writeConvDetector(3) });
    const nanodet = await client.call('models.import', { path: sharedPath('data', 'models', 'nanodet_m', 'nanodet_m_0.5x.onnx') });
    expect(conv.adapter.family).toBe('yolov8');
    const plan = { modelIds: [nanodet.id, conv.id], datasetId: dataset.id, conditions: CONDITIONS, sample: 6, seed: 11, recordInputDigests: true };

    // onnxruntime's thread count is part of the plan (it changes NanoDet's float outputs)
    const oneThread = await client.call('audits.plan', { ...plan, threads: 1 });
    const twoThreads = await client.call('audits.plan', { ...plan, threads: 2 });
    expect(oneThread.fingerprint).not.toBe(twoThreads.fingerprint);

    // A: one worker, one image per run, uninterrupted
    const a = await client.call('audits.start', { ...plan, workers: 1, threads: 2, batchSize: 1 });
    expect((await client.call('jobs.watch', { id: a.jobId })).status).toBe('done');

    // B: three workers, batches of 4, paused once and its runner killed once
    const b = await client.call('audits.start', { ...plan, workers: 3, threads: 2, batchSize: 4 });
    let done = 0;
    const onEvent = (e: JobEvent): void => {
      if (e.type === 'progress') done = e.progress.done;
    };
    const first = client.call('jobs.watch', { id: b.jobId }, { onEvent });
    await until(() => done >= 8, 'B to store 8 units');
    expect((await client.call('audits.pause', { id: b.audit.id })).status).toBe('paused');
    expect((await first).status).toBe('paused');
    const resumed = await client.call('audits.resume', { id: b.audit.id });
    const atResume = resumed.audit.unitsDone;
    // a pause stores what is in flight (up to the runner's window), so how far it got varies
    expect(atResume).toBeGreaterThanOrEqual(8);
    let running = 0;
    let ended = false;
    const second = client
      .call(
        'jobs.watch',
        { id: resumed.jobId },
        {
          onEvent: (e) => {
            if (e.type === 'progress' && e.progress.stage === 'running') running = e.progress.done;
          },
        },
      )
      .finally(() => {
        ended = true;
      });
    // kill the runner once the resumed run stored 4 units; on a fast machine the run may end
    // first (resume.test.ts kills runners at fixed points), and then there is nothing to kill
    await until(() => ended || (running >= atResume + 4 && runnerOf(process.pid) !== null), 'the resumed run to store 4 units');
    const runner = ended ? null : runnerOf(process.pid);
    if (runner) {
      process.kill(runner.pid, 'SIGKILL');
      const killed = await second;
      if (killed.status !== 'done') {
        expect(killed.status).toBe('interrupted');
        expect(killed.error).toMatch(/runner process was killed \(SIGKILL\)/);
        const last = await client.call('audits.resume', { id: b.audit.id });
        expect((await client.call('jobs.watch', { id: last.jobId })).status).toBe('done');
      }
    } else {
      expect((await second).status).toBe('done');
    }

    // the same pixels went in, the same detections came out, the same numbers were scored
    const digestsA = engine.audits.inputDigests(a.audit.id);
    const digestsB = engine.audits.inputDigests(b.audit.id);
    expect(digestsA).toHaveLength(6 * 7);
    expect(digestsB).toEqual(digestsA);
    expect(new Set(digestsA.map((d) => d.sha256)).size).toBe(digestsA.length);
    const ua = units(a.audit.id);
    const ub = units(b.audit.id);
    expect([...ua.keys()].filter((k) => ua.get(k) !== ub.get(k))).toEqual([]);
    const cellsA = await client.call('audits.cells', { id: a.audit.id });
    const cellsB = await client.call('audits.cells', { id: b.audit.id });
    expect(cellsB.map((c) => c.stats)).toEqual(cellsA.map((c) => c.stats));
    expect(cellsA.every((c) => c.stats !== null)).toBe(true);
    expect(await client.call('audits.metrics', { id: b.audit.id })).toEqual(await client.call('audits.metrics', { id: a.audit.id }));
    const runs = (await client.call('audits.get', { id: b.audit.id })).provenance!.runs;
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.poolWorkers === 3 && r.threads === 2 && r.batchSize === 4)).toBe(true);

    // odra corrupt regenerates an audited image byte for byte
    const conditions = (await client.call('audits.get', { id: a.audit.id })).conditions;
    const imageIds = engine.audits.imageIds(a.audit.id);
    for (const d of digestsA.filter((x) => conditions[x.conditionPos].corruption === 'gaussian_noise').slice(0, 2)) {
      const out = path.join(temp, `regen-${d.conditionPos}-${d.imagePos}.png`);
      const c = conditions[d.conditionPos];
      const run = await runOdra([
        'corrupt', '--db', path.join(temp, 'odra.db'), '--audit', String(a.audit.id), '--image-id', String(imageIds[d.imagePos]),
        '--corruption', c.corruption, '--severity', String(c.severity), '--output', out,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const png = await decodeImage(out);
      expect(createHash('sha256').update(png.data).digest('hex')).toBe(d.sha256);
    }
  });
});
