import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../src/shared/audits';
import { JobManager, stopReason, type JobControl } from '../../../src/engine/jobs/job-manager';

/** A job that reports what it is told and ends when the test says so. */
function controllable() {
  let control: JobControl | null = null;
  let finish: (status: 'done' | 'paused' | 'cancelled') => void = () => undefined;
  const run = (job: JobControl) => {
    control = job;
    return new Promise<{ status: 'done' | 'paused' | 'cancelled' }>((resolve) => {
      finish = (status) => resolve({ status });
      job.stop.addEventListener('abort', () => resolve({ status: stopReason(job.stop) === 'cancel' ? 'cancelled' : 'paused' }));
    });
  };
  return { run, control: () => control!, finish: (s: 'done' | 'paused' | 'cancelled') => finish(s) };
}

describe('engine-owned jobs', () => {
  it('a watch replays the latest progress, streams events and ends with the final status', async () => {
    const jobs = new JobManager();
    const c = controllable();
    const info = jobs.start({ kind: 'audit', label: 'a', auditId: 7 }, c.run);
    expect(info.status).toBe('running');
    expect(jobs.runningFor(7)?.id).toBe(info.id);
    c.control().progress({ stage: 'running', done: 3, total: 10, unitsPerSecond: 1.5, etaSeconds: 4.7 });
    const events: JobEvent[] = [];
    const watching = jobs.watch(info.id, (e) => events.push(e));
    expect(events).toEqual([{ type: 'progress', jobId: info.id, progress: { stage: 'running', done: 3, total: 10, unitsPerSecond: 1.5, etaSeconds: 4.7 } }]);
    c.control().warn('cuda unavailable');
    c.control().cell(7, { modelId: 1, modelPosition: 0, conditionIndex: 2, corruption: 'fog', severity: 3, stats: null }, []);
    c.finish('done');
    const final = await watching;
    expect(final.status).toBe('done');
    expect(final.warnings).toEqual(['cuda unavailable']);
    expect(events.map((e) => e.type)).toEqual(['progress', 'warning', 'cell', 'status']);
    expect(jobs.runningFor(7)).toBeNull();
    // a later watch of a finished job answers at once with how it ended
    const late: JobEvent[] = [];
    expect((await jobs.watch(info.id, (e) => late.push(e))).status).toBe('done');
    expect(late.at(-1)).toEqual({ type: 'status', jobId: info.id, status: 'done' });
  });

  it('ending a watch does not end the job, and stop tells the job why', async () => {
    const jobs = new JobManager();
    const c = controllable();
    const info = jobs.start({ kind: 'audit', label: 'a', auditId: 1 }, c.run);
    const watchEnd = new AbortController();
    const watching = jobs.watch(info.id, () => undefined, watchEnd.signal);
    watchEnd.abort();
    await expect(watching).rejects.toThrow(/stopped watching job .*; the job goes on/);
    expect(jobs.get(info.id).status).toBe('running');
    expect(jobs.stop(info.id, 'pause')).toBe(true);
    expect((await jobs.finished(info.id)).status).toBe('paused');
    expect(jobs.stop(info.id, 'cancel')).toBe(false);
  });

  it('a failing job is reported failed with its message; stopAll waits for every running job', async () => {
    const jobs = new JobManager();
    const failed = jobs.start({ kind: 'rescore', label: 'r', auditId: null }, () => Promise.reject(new Error('boom')));
    expect(await jobs.finished(failed.id)).toMatchObject({ status: 'failed', error: 'boom', errorCode: 'INTERNAL' });
    const a = controllable();
    const b = controllable();
    const ja = jobs.start({ kind: 'audit', label: 'a', auditId: 1 }, a.run);
    const jb = jobs.start({ kind: 'evaluation', label: 'b', auditId: 2 }, b.run);
    await jobs.stopAll('shutdown');
    expect([jobs.get(ja.id).status, jobs.get(jb.id).status]).toEqual(['paused', 'paused']);
    expect(jobs.list().map((j) => j.id)).toEqual([jb.id, ja.id, failed.id]);
    expect(() => jobs.get('audit-x-1')).toThrow(/no job audit-x-1/);
  });
});
