/**
 * Audits as the contract sees them: plan (validate, resolve, store), start and resume
 * as engine-owned jobs, pause / cancel, re-score with another class map, read cells,
 * metrics and the result summary.
 *
 * Planning checks everything before anything is stored (a refused plan leaves the
 * store as it was): the models and the dataset exist, the baseline is one of the
 * models, each model's class map fits it and the dataset and maps at least one
 * category that has ground truth, and the dataset has images. The class map in force
 * for each (model, dataset) is recorded with the audit; scoring applies it, and
 * `rescore` replaces it (default: the map in force now) without running inference.
 */
import {
  resolveConditions,
  type AuditCell,
  type AuditDetail,
  type AuditMetricRow,
  type AuditResult,
  type AuditSummary,
  type auditMetricsInputSchema,
  type auditStartInputSchema,
} from '../../shared/audits';
import os from 'node:os';
import { CORRUPTION_CATALOGUE_VERSION } from '../../shared/corruptions';
import { cpuBudget } from '../corruptions/pool';
import { OdraError } from '../../shared/errors';
import type { ClassMap } from '../../shared/schemas';
import type { z } from 'zod';
import { classMapInForce, type ClassMapRepo } from '../evaluations/class-map-repo';
import { normaliseProviderName } from '../inference/execution-providers';
import type { JobControl, JobManager, JobOutcome } from '../jobs/job-manager';
import { ODRA_VERSION } from '../util/version';
import type { AuditRepo, AuditRow, NewAudit } from './audit-repo';
import { runAudit, type ExecutorDeps } from './executor';
import { planFingerprint, sampleImages } from './plan';
import { toAuditResult } from './result-mapping';
import type { AuditAnalysis } from '../../shared/audit-results';
import { checkedScoringMap, scoringMap } from './scoring-map';

export type AuditStartParsed = z.output<typeof auditStartInputSchema>;
export type AuditMetricsParsed = z.output<typeof auditMetricsInputSchema>;

export interface AuditServiceDeps extends ExecutorDeps {
  audits: AuditRepo;
  classMaps: ClassMapRepo;
  jobs: JobManager;
  /** the store file (':memory:' for an in-memory store): the analysis reads cell records from it */
  storePath: string;
  sqliteBinding?: string;
}

export interface AnalysisRequest {
  bootstrap?: number;
  minGt?: number;
  classCounts?: Record<string, number>;
}

const RESUMABLE = new Set(['paused', 'interrupted', 'failed']);
const SCORE_PAGE = 256;

export class AuditService {
  constructor(private readonly deps: AuditServiceDeps) {}

  /** Validates and resolves a plan into what is stored; throws BAD_INPUT naming the problem. */
  prepare(input: AuditStartParsed, kind: 'audit' | 'evaluation' = 'audit'): NewAudit {
    const { models: modelRepo, datasets } = this.deps;
    const dataset = datasets.get(input.datasetId);
    if (new Set(input.modelIds).size !== input.modelIds.length) throw new OdraError('BAD_INPUT', 'a model is listed twice in the audit');
    const models = input.modelIds.map((id) => modelRepo.get(id));
    const baselineId = input.baselineModelId ?? input.modelIds[0];
    if (!input.modelIds.includes(baselineId)) throw new OdraError('BAD_INPUT', `the baseline (model ${baselineId}) is not one of the audited models`);
    const withGt = new Set(dataset.categories.filter((c) => c.count > 0).map((c) => c.id));
    const maps: ClassMap[] = models.map((m) => {
      const pair = { modelId: m.id, datasetId: dataset.id, classNames: m.adapter.classNames, categories: dataset.categories };
      const classMap = input.classMaps?.[String(m.id)] ?? classMapInForce(this.deps.classMaps, pair).classMap;
      const map = checkedScoringMap(classMap, m.adapter.classNames, dataset.categories, `the class map of model "${m.name}"`);
      if (!map.categories.some((c) => withGt.has(c.id))) {
        throw new OdraError('BAD_INPUT', `none of the dataset's annotated categories maps to a class of model "${m.name}": give a class map`);
      }
      return classMap;
    });
    const allIds = datasets.imageFiles(dataset.id).map((f) => f.id);
    if (!allIds.length) throw new OdraError('BAD_INPUT', `dataset "${dataset.name}" has no images`);
    const imageIds = sampleImages(allIds, dataset.contentHash, input.seed, input.sample);
    const conditions = resolveConditions(input.conditions);
    const executionProvider = normaliseProviderName(input.executionProvider ?? 'cpu');
    const baseline = input.modelIds.indexOf(baselineId);
    // fixed now, for every run on any machine: the thread count changes some models' outputs
    // (plan.ts). The same default for clean evaluations and audits, so an audit's clean cell
    // equals `odra eval` of the same model.
    const threads = input.threads ?? cpuBudget(os.availableParallelism()).ortThreads;
    const fingerprint = planFingerprint({
      modelSha256: models.map((m) => m.sha256),
      baseline,
      datasetHash: dataset.contentHash,
      imageIds,
      conditions,
      seed: input.seed,
      executionProvider,
      threads,
      corruptionCatalogueVersion: CORRUPTION_CATALOGUE_VERSION,
    });
    const name =
      input.name ??
      (kind === 'evaluation'
        ? `${models[0].name} on ${dataset.name}`
        : `${models.map((m) => m.name).join(', ')} on ${dataset.name}, ${conditions.length} conditions`);
    return {
      kind,
      name,
      datasetId: dataset.id,
      seed: input.seed,
      sample: input.sample !== undefined && input.sample < allIds.length ? input.sample : null,
      settings: {
        executionProvider: input.executionProvider ?? null,
        threads,
        batchSize: input.batchSize ?? null,
        workers: input.workers ?? null,
        recordInputDigests: input.recordInputDigests ?? false,
      },
      fingerprint,
      toolVersion: ODRA_VERSION,
      models: models.map((m, i) => ({ modelId: m.id, baseline: i === baseline, adapter: m.adapter, classMap: maps[i] })),
      conditions,
      imageIds,
    };
  }

  start(input: AuditStartParsed, kind: 'audit' | 'evaluation' = 'audit'): { audit: AuditSummary; jobId: string } {
    const plan = this.prepare(input, kind);
    const id = this.deps.audits.create(plan);
    const jobId = this.launch(id);
    return { audit: this.summary(id), jobId };
  }

  /** Continues a paused, interrupted or failed audit from its last committed unit. */
  resume(id: number): { audit: AuditSummary; jobId: string } {
    const audit = this.deps.audits.get(id);
    const running = this.deps.jobs.runningFor(id);
    if (running) return { audit: this.summary(id), jobId: running.id };
    if (audit.legacy) throw new OdraError('UNSUPPORTED', `audit ${id} was made before Odra stored raw detections and cannot be resumed: run it again`);
    if (!RESUMABLE.has(audit.status)) throw new OdraError('BAD_INPUT', `audit ${id} is ${audit.status}; only paused, interrupted or failed audits resume`);
    const jobId = this.launch(id);
    return { audit: this.summary(id), jobId };
  }

  /** Asks the running job of the audit to pause; resolves when it has stopped. */
  async pause(id: number): Promise<AuditSummary> {
    return this.stop(id, 'pause');
  }

  async cancel(id: number): Promise<AuditSummary> {
    const audit = this.deps.audits.get(id);
    if (!this.deps.jobs.runningFor(id) && RESUMABLE.has(audit.status)) {
      // a stopped audit is cancelled for good: it will not be offered for resume
      this.deps.audits.setStatus(id, 'cancelled', audit.error);
      return this.summary(id);
    }
    return this.stop(id, 'cancel');
  }

  delete(id: number): boolean {
    const running = this.deps.jobs.runningFor(id);
    if (running) throw new OdraError('BAD_INPUT', `audit ${id} is running: pause or cancel it first`);
    return this.deps.audits.delete(id);
  }

  /**
   * Scores every complete cell again with the given class maps (per model id), or the
   * map in force now for each model: no inference.
   */
  rescore(id: number, classMaps?: Record<string, ClassMap>): { audit: AuditSummary; jobId: string } {
    const { audits, jobs, datasets } = this.deps;
    const audit = audits.get(id);
    if (jobs.runningFor(id)) throw new OdraError('BAD_INPUT', `audit ${id} is running: pause it before re-scoring`);
    if (audit.legacy) throw new OdraError('UNSUPPORTED', `audit ${id} was made before Odra stored raw detections and cannot be re-scored`);
    const dataset = datasets.get(audit.datasetId);
    const models = audits.models(id);
    const withGt = new Set(dataset.categories.filter((c) => c.count > 0).map((c) => c.id));
    const maps = models.map((m) => {
      const pair = { modelId: m.modelId, datasetId: dataset.id, classNames: m.adapter.classNames, categories: dataset.categories };
      const classMap = classMaps?.[String(m.modelId)] ?? classMapInForce(this.deps.classMaps, pair).classMap;
      const map = checkedScoringMap(classMap, m.adapter.classNames, dataset.categories, `the class map of model "${m.name}"`);
      if (!map.categories.some((c) => withGt.has(c.id))) {
        throw new OdraError('BAD_INPUT', `none of the dataset's annotated categories maps to a class of model "${m.name}": give a class map`);
      }
      return classMap;
    });
    const info = jobs.start({ kind: 'rescore', label: `re-score ${audit.name}`, auditId: id }, (job) => this.rescoreJob(id, maps, job));
    return { audit: this.summary(id), jobId: info.id };
  }

  summary(id: number): AuditSummary {
    return this.toSummary(this.deps.audits.get(id));
  }

  detail(id: number): AuditDetail {
    const row = this.deps.audits.get(id);
    return {
      ...this.toSummary(row),
      provenance: row.provenance,
      executionProvider: row.settings.executionProvider,
      threads: row.settings.threads,
      batchSize: row.settings.batchSize,
      workers: row.settings.workers,
    };
  }

  list(filter: { kind?: 'audit' | 'evaluation'; datasetId?: number; modelId?: number }): AuditSummary[] {
    return this.deps.audits.list(filter).map((r) => this.toSummary(r));
  }

  cells(id: number): AuditCell[] {
    return this.deps.audits.cells(id);
  }

  metrics(input: AuditMetricsParsed): AuditMetricRow[] {
    return this.deps.audits.metrics(input);
  }

  /**
   * The audit's analysis (analytics/analyse-audit.ts: robustness, worst class,
   * imbalance, paired-bootstrap intervals), computed on the scorer worker from the stored
   * cell records and stored per options once the audit is done, so it is computed once.
   */
  async analysis(id: number, request: AnalysisRequest = {}): Promise<AuditAnalysis> {
    const { audits, datasets, scorer } = this.deps;
    const row = audits.get(id);
    if (row.legacy) throw new OdraError('UNSUPPORTED', `audit ${id} was made before Odra stored match records and cannot be analysed: run it again`);
    const counts = audits.counts(id);
    if (counts.cellsDone !== counts.cellsTotal) {
      throw new OdraError('BAD_INPUT', `audit ${id} is ${row.status} with ${counts.cellsDone} of ${counts.cellsTotal} cells scored: finish it before analysing it`);
    }
    const options = {
      resamples: request.bootstrap ?? 1000,
      seed: row.seed,
      minGtForWorst: request.minGt ?? 10,
      ...(request.classCounts ? { classCounts: request.classCounts } : {}),
    };
    const counted = request.classCounts ? Object.entries(request.classCounts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : null;
    const key = `analysis-v1:${JSON.stringify([options.resamples, options.minGtForWorst, counted])}`;
    const stored = audits.result(id, key);
    if (stored) return JSON.parse(stored) as AuditAnalysis;
    const models = audits.models(id);
    const categories = datasets.get(row.datasetId).categories;
    const scored = models.map((m) => scoringMap(m.classMap, m.adapter.classNames, categories).categories);
    const names = (list: readonly { id: number; name: string }[]): string => list.map((c) => c.name).join(', ');
    for (let i = 1; i < scored.length; i++) {
      if (scored[i].map((c) => c.id).join() !== scored[0].map((c) => c.id).join()) {
        throw new OdraError(
          'UNSUPPORTED',
          `the models of audit ${id} are scored on different categories (${models[0].name}: ${names(scored[0])}; ${models[i].name}: ${names(scored[i])}); ` +
            'compare them on the same categories: give every model a class map over the same categories and re-score',
        );
      }
    }
    const conditions = audits.conditions(id);
    const source =
      this.deps.storePath === ':memory:'
        ? { records: audits.cellRecords(id).map((r) => ({ model: r.modelPos, condition: r.conditionPos, record: r.record ?? new Uint8Array(0) })) }
        : { db: this.deps.storePath, auditId: id, ...(this.deps.sqliteBinding ? { nativeBinding: this.deps.sqliteBinding } : {}) };
    const { analysis } = await scorer.analyse({
      source,
      models: models.map((m) => ({ id: m.modelId, name: m.name, sha256: m.sha256, baseline: m.baseline })),
      conditions,
      categories: scored[0].map((c) => ({ id: c.id, name: c.name })),
      options,
    });
    if (row.status === 'done') audits.saveResult(id, key, JSON.stringify(analysis));
    return analysis;
  }

  /** What `odra audit --json` prints: the analysis mapped, with every cell's COCO stats. */
  async result(id: number, request: AnalysisRequest = {}): Promise<AuditResult> {
    const analysis = await this.analysis(id, request);
    const { audits } = this.deps;
    const row = audits.get(id);
    const models = audits.models(id);
    const conditions = audits.conditions(id);
    return toAuditResult({
      audit: { id, name: row.name, status: row.status, seed: row.seed, images: audits.imageCount(id), provenance: row.provenance },
      models: models.map((m) => ({ name: m.name, path: m.path, sha256: m.sha256, baseline: m.baseline })),
      conditions,
      cells: models.map((m) => conditions.map((_, ci) => ({ stats: audits.cellStats(id, m.position, ci), perCategory: audits.cellCategories(id, m.position, ci) }))),
      analysis,
    });
  }

  findByFingerprint(fingerprint: string): AuditSummary | null {
    const row = this.deps.audits.findByFingerprint(fingerprint);
    return row ? this.toSummary(row) : null;
  }

  /** At engine start: audits a dead process left running become interrupted (resumable). */
  interruptLeftRunning(): number[] {
    return this.deps.audits.interruptRunning('Odra stopped while this audit ran; resume continues from the last stored unit');
  }

  private launch(id: number): string {
    const audit = this.deps.audits.get(id);
    const info = this.deps.jobs.start({ kind: audit.kind, label: audit.name, auditId: id }, (job) => runAudit(this.deps, id, job));
    return info.id;
  }

  private async stop(id: number, reason: 'pause' | 'cancel'): Promise<AuditSummary> {
    const running = this.deps.jobs.runningFor(id);
    if (!running) {
      const audit = this.deps.audits.get(id);
      throw new OdraError('BAD_INPUT', `audit ${id} is not running (it is ${audit.status})`);
    }
    this.deps.jobs.stop(running.id, reason);
    await this.deps.jobs.finished(running.id);
    return this.summary(id);
  }

  private async rescoreJob(id: number, maps: ClassMap[], job: JobControl): Promise<JobOutcome> {
    const { audits, datasets, scorer } = this.deps;
    const audit = audits.get(id);
    const models = audits.models(id);
    const conditions = audits.conditions(id);
    const imageIds = audits.imageIds(id);
    const gt = datasets.groundTruth(audit.datasetId);
    const byId = new Map(gt.images.map((im) => [im.id, im]));
    const inAudit = new Set(imageIds);
    const categories = gt.categories.map((c) => ({ id: c.id, name: c.name, cocoEquivalent: c.cocoEquivalent }));
    models.forEach((m, i) => audits.setClassMap(id, m.position, maps[i]));
    audits.clearScores(id);
    const complete = audits.cellProgress(id).filter((c) => c.unitsDone === imageIds.length);
    const session = scorer.openSession(
      imageIds.map((imageId) => {
        const im = byId.get(imageId)!;
        return { id: imageId, width: im.width, height: im.height };
      }),
      gt.annotations.filter((a) => inAudit.has(a.image_id)),
    );
    try {
      let done = 0;
      for (const c of complete) {
        if (job.stop.aborted) return { status: 'cancelled', message: 're-scoring stopped; some cells are not scored: re-score again' };
        const m = models[c.modelPos];
        let after = -1;
        const scored = await scorer.scoreCell(session, { classMap: maps[c.modelPos], classNames: m.adapter.classNames, categories }, () => {
          const page = audits.unitPage(id, c.conditionPos, c.modelPos, after, SCORE_PAGE);
          if (page.length) after = page[page.length - 1].imagePos;
          return page;
        });
        audits.saveCell(id, c.modelPos, c.conditionPos, scored.stats, scored.perCategory, scored.record);
        const condition = conditions[c.conditionPos];
        job.cell(
          id,
          { modelId: m.modelId, modelPosition: m.position, conditionIndex: c.conditionPos, corruption: condition.corruption, severity: condition.severity, stats: scored.stats },
          audits.cellCategories(id, c.modelPos, c.conditionPos),
        );
        done++;
        job.progress({ stage: 're-scoring', done, total: complete.length, unitsPerSecond: null, etaSeconds: null });
      }
      return { status: 'done' };
    } finally {
      scorer.endSession(session);
    }
  }

  private toSummary(row: AuditRow): AuditSummary {
    const { audits, datasets, jobs } = this.deps;
    const categories = datasets.get(row.datasetId).categories;
    const withGt = new Set(categories.filter((c) => c.count > 0).map((c) => c.id));
    const counts = audits.counts(row.id);
    const running = jobs.runningFor(row.id);
    const models = audits.models(row.id).map((m) => {
      let unmapped: string[] = [];
      try {
        unmapped = scoringMap(m.classMap, m.adapter.classNames, categories)
          .unmapped.filter((c) => withGt.has(c.id))
          .map((c) => c.name);
      } catch {
        // a stored map that no longer fits is reported by rescore, not here
      }
      return {
        position: m.position,
        modelId: m.modelId,
        name: m.name,
        path: m.path,
        sha256: m.sha256,
        baseline: m.baseline,
        executionProvider: m.executionProvider,
        requestedProvider: m.requestedProvider,
        providerWarning: m.providerWarning,
        classMap: m.classMap,
        unmappedCategories: unmapped,
      };
    });
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      status: row.status,
      datasetId: row.datasetId,
      datasetName: row.datasetName,
      datasetHash: row.datasetHash,
      models,
      conditions: audits.conditions(row.id),
      images: audits.imageCount(row.id),
      seed: row.seed,
      sample: row.sample,
      unitsDone: row.legacy && row.status === 'done' ? row.unitsTotal : counts.unitsDone,
      unitsTotal: row.unitsTotal,
      cellsDone: counts.cellsDone,
      cellsTotal: counts.cellsTotal,
      toolVersion: row.toolVersion,
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      seconds: row.seconds,
      error: row.error,
      jobId: running?.id ?? null,
      resumable: !row.legacy && !running && RESUMABLE.has(row.status),
      legacy: row.legacy,
    };
  }
}
