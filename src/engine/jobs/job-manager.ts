/**
 * Jobs: long work the engine owns (audits, clean evaluations, re-scoring), never the
 * connection that started it.
 *
 *   start(kind, run)   runs `run` now and returns the job's info (id included)
 *   watch(id)          replays the job's state (its latest progress), then streams its
 *                      events until it ends; a watch ends with its own signal (the
 *                      client went away) and the job goes on
 *   stop(id, reason)   asks the job to stop: 'pause' (resumable), 'cancel' (for good)
 *                      or 'shutdown' (the engine is stopping: like pause)
 *
 * A job's outcome is what its run function returns (done, paused, cancelled,
 * interrupted, failed); the durable state of an audit lives in the store, so a job is
 * only the live view of it. Ids carry the engine's start time, so a client that kept an
 * id across an engine restart cannot watch a different job. Finished jobs stay listed
 * (the latest 50) so a reloaded page can learn how its job ended.
 */
import type { AuditCell, JobEvent, JobInfo, JobKind, JobProgress, JobStatus } from '../../shared/audits';
import { OdraError, type ErrorCode } from '../../shared/errors';
import type { PerCategoryDto } from '../../shared/schemas';

export type StopReason = 'pause' | 'cancel' | 'shutdown';

export interface JobControl {
  readonly id: string;
  /** aborted when the job is asked to stop; the reason is a StopReason */
  readonly stop: AbortSignal;
  progress(progress: JobProgress): void;
  cell(auditId: number, cell: AuditCell, perCategory: PerCategoryDto[]): void;
  warn(message: string): void;
}

export interface JobOutcome {
  status: Exclude<JobStatus, 'running'>;
  error?: string | null;
  /** what kind of failure (BAD_INPUT: the user can fix it) */
  errorCode?: ErrorCode;
  message?: string;
}

interface Entry {
  info: JobInfo;
  controller: AbortController;
  listeners: Set<(event: JobEvent) => void>;
  finished: Promise<JobInfo>;
}

const KEEP_FINISHED = 50;

export class JobManager {
  private readonly jobs = new Map<string, Entry>();
  private readonly prefix = Date.now().toString(36);
  private next = 1;

  start(spec: { kind: JobKind; label: string; auditId: number | null }, run: (job: JobControl) => Promise<JobOutcome>): JobInfo {
    const id = `${spec.kind}-${this.prefix}-${this.next++}`;
    const controller = new AbortController();
    const entry: Entry = {
      info: {
        id,
        kind: spec.kind,
        status: 'running',
        label: spec.label,
        auditId: spec.auditId,
        startedAt: new Date().toISOString(),
        finishedAt: null,
        progress: null,
        error: null,
        errorCode: null,
        warnings: [],
      },
      controller,
      listeners: new Set(),
      finished: Promise.resolve(null as unknown as JobInfo),
    };
    const emit = (event: JobEvent): void => {
      for (const l of [...entry.listeners]) l(event);
    };
    const control: JobControl = {
      id,
      stop: controller.signal,
      progress: (progress) => {
        entry.info.progress = progress;
        emit({ type: 'progress', jobId: id, progress });
      },
      cell: (auditId, cell, perCategory) => emit({ type: 'cell', jobId: id, auditId, cell, perCategory }),
      warn: (message) => {
        entry.info.warnings.push(message);
        emit({ type: 'warning', jobId: id, message });
      },
    };
    this.jobs.set(id, entry);
    entry.finished = (async () => {
      let outcome: JobOutcome;
      try {
        outcome = await run(control);
      } catch (err) {
        outcome = { status: 'failed', error: err instanceof Error ? err.message : String(err), errorCode: err instanceof OdraError ? err.code : 'INTERNAL' };
      }
      entry.info.status = outcome.status;
      entry.info.error = outcome.error ?? null;
      entry.info.errorCode = outcome.status === 'failed' ? (outcome.errorCode ?? 'INTERNAL') : null;
      entry.info.finishedAt = new Date().toISOString();
      emit({ type: 'status', jobId: id, status: outcome.status, ...(outcome.message ?? outcome.error ? { message: outcome.message ?? outcome.error ?? '' } : {}) });
      entry.listeners.clear();
      this.prune();
      return { ...entry.info };
    })();
    return { ...entry.info };
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((e) => ({ ...e.info })).reverse();
  }

  get(id: string): JobInfo {
    return { ...this.entry(id).info };
  }

  /** The running job of an audit, if any. */
  runningFor(auditId: number): JobInfo | null {
    for (const e of this.jobs.values()) if (e.info.auditId === auditId && e.info.status === 'running') return { ...e.info };
    return null;
  }

  /** Asks a running job to stop; false when it is not running. */
  stop(id: string, reason: StopReason): boolean {
    const e = this.entry(id);
    if (e.info.status !== 'running') return false;
    if (!e.controller.signal.aborted) e.controller.abort(reason);
    return true;
  }

  /** Resolves with the job's final info when it ends. */
  finished(id: string): Promise<JobInfo> {
    return this.entry(id).finished;
  }

  /**
   * Streams the job's events to `listener` until it ends (resolving with its final info)
   * or `signal` aborts (rejecting: the watch ended, the job did not).
   */
  watch(id: string, listener: (event: JobEvent) => void, signal?: AbortSignal): Promise<JobInfo> {
    const e = this.entry(id);
    if (e.info.progress) listener({ type: 'progress', jobId: id, progress: e.info.progress });
    if (e.info.status !== 'running') {
      listener({ type: 'status', jobId: id, status: e.info.status, ...(e.info.error ? { message: e.info.error } : {}) });
      return Promise.resolve({ ...e.info });
    }
    e.listeners.add(listener);
    return new Promise<JobInfo>((resolve, reject) => {
      const onAbort = (): void => {
        e.listeners.delete(listener);
        reject(new OdraError('CANCELLED', `stopped watching job ${id}; the job goes on`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      void e.finished.then((info) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(info);
      });
    });
  }

  /** Stops every running job for `reason` and waits until they have ended. */
  async stopAll(reason: StopReason): Promise<void> {
    const running = [...this.jobs.values()].filter((e) => e.info.status === 'running');
    for (const e of running) if (!e.controller.signal.aborted) e.controller.abort(reason);
    await Promise.all(running.map((e) => e.finished));
  }

  private entry(id: string): Entry {
    const e = this.jobs.get(id);
    if (!e) throw new OdraError('NOT_FOUND', `no job ${id} (jobs end with the engine that ran them; list the audits to resume one)`);
    return e;
  }

  private prune(): void {
    const finished = [...this.jobs.entries()].filter(([, e]) => e.info.status !== 'running');
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(id);
  }
}

/** The reason a job was asked to stop, from its signal. */
export function stopReason(signal: AbortSignal): StopReason | null {
  if (!signal.aborted) return null;
  const r: unknown = signal.reason;
  return r === 'pause' || r === 'cancel' || r === 'shutdown' ? r : 'cancel';
}
