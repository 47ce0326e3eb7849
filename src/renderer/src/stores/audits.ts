/**
 * Audits in the renderer: the list, the open audit (its detail, cells, per-class metric
 * rows and analysis), and the watch on its running job. The job belongs to the engine:
 * leaving the view keeps the watch, and opening the audit again (or reloading the page)
 * re-attaches with jobs.watch on the audit's jobId, whose first event is the latest
 * progress. Cell events add their per-class rows as they arrive, so the heatmap fills in
 * while the audit runs. Large arrays are held in shallow refs (replaced, never mutated
 * in place) so a 10^5-row audit is not made deeply reactive.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AuditAnalysis } from '../../../shared/audit-results';
import type { AuditCell, AuditDetail, AuditEstimate, AuditMetricRow, AuditStartInput, AuditSummary, JobEvent, JobProgress, JobStatus } from '../../../shared/audits';
import type { MethodOutput } from '../../../shared/contract';
import type { Progress } from '../../../shared/schemas';
import { api } from '../api';
import { toUiError, type UiError } from '../api/ui-error';

const PAGE = 20_000;

export const useAuditsStore = defineStore('audits', () => {
  const list = shallowRef<AuditSummary[]>([]);
  const loaded = ref(false);
  const listError = ref<UiError | null>(null);

  const current = shallowRef<AuditDetail | null>(null);
  const cells = shallowRef<AuditCell[]>([]);
  const rows = shallowRef<AuditMetricRow[]>([]);
  const analysis = shallowRef<AuditAnalysis | null>(null);
  /** the dataset categories some model of the audit scores: the heatmap's rows before their cells finish */
  const categories = shallowRef<{ id: number; name: string }[]>([]);
  const analysing = ref(false);
  const loadError = ref<UiError | null>(null);
  const actionError = ref<UiError | null>(null);

  const progress = shallowRef<JobProgress | null>(null);
  const jobStatus = ref<JobStatus | null>(null);
  const warnings = shallowRef<string[]>([]);
  /** cell events received by the current watch (the live heatmap's fill count) */
  const cellEvents = ref(0);
  let watching: string | null = null;

  const plan = shallowRef<MethodOutput<'audits.plan'> | null>(null);
  const planError = ref<UiError | null>(null);
  const starting = ref(false);
  /** the time estimate of the setup (audits.estimate) and the calibration that makes it */
  const estimate = shallowRef<AuditEstimate | null>(null);
  const estimateError = ref<UiError | null>(null);
  const estimateProgress = shallowRef<Progress | null>(null);
  const estimating = ref(false);
  let estimateCall: AbortController | null = null;

  async function refresh(): Promise<void> {
    try {
      list.value = await api().client.call('audits.list', { kind: 'audit' });
      listError.value = null;
    } catch (err) {
      listError.value = toUiError(err);
    } finally {
      loaded.value = true;
    }
  }

  async function allRows(id: number): Promise<AuditMetricRow[]> {
    const out: AuditMetricRow[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await api().client.call('audits.metrics', { id, offset, limit: PAGE });
      out.push(...page);
      if (page.length < PAGE) return out;
    }
  }

  async function open(id: number): Promise<void> {
    loadError.value = null;
    if (current.value?.id !== id) {
      current.value = null;
      analysis.value = null;
      rows.value = [];
      cells.value = [];
      categories.value = [];
      progress.value = null;
      jobStatus.value = null;
      warnings.value = [];
    }
    try {
      const detail = await api().client.call('audits.get', { id });
      current.value = detail;
      const [c, r, dataset] = await Promise.all([
        api().client.call('audits.cells', { id }),
        allRows(id),
        api().client.call('datasets.get', { id: detail.datasetId }),
      ]);
      if (current.value?.id !== id) return;
      const unmappedEverywhere = (name: string): boolean => detail.models.every((m) => m.unmappedCategories.includes(name));
      categories.value = dataset.categories.filter((cat) => cat.count > 0 && !unmappedEverywhere(cat.name)).map((cat) => ({ id: cat.id, name: cat.name }));
      cells.value = c;
      rows.value = r;
      if (detail.jobId && detail.status === 'running') void watch(detail.jobId, id);
      if (detail.status === 'done' && !analysis.value) void loadAnalysis();
    } catch (err) {
      loadError.value = toUiError(err);
    }
  }

  function onEvent(auditId: number, event: JobEvent): void {
    if (current.value?.id !== auditId) return;
    if (event.type === 'progress') progress.value = event.progress;
    else if (event.type === 'warning') warnings.value = [...warnings.value, event.message];
    else if (event.type === 'status') jobStatus.value = event.status;
    else if (event.type === 'cell') {
      const c = event.cell;
      const added: AuditMetricRow[] = event.perCategory.map((p) => ({
        ...p,
        modelId: c.modelId,
        modelPosition: c.modelPosition,
        conditionIndex: c.conditionIndex,
        corruption: c.corruption,
        severity: c.severity,
      }));
      const key = (r: { modelId: number; conditionIndex: number }): string => `${r.modelId}|${r.conditionIndex}`;
      const k = key(c);
      rows.value = [...rows.value.filter((r) => key(r) !== k), ...added];
      cells.value = [...cells.value.filter((x) => key(x) !== k), c];
      cellEvents.value++;
    }
  }

  /** Follows the job until it ends, then reloads the audit (its final status, the analysis). */
  async function watch(jobId: string, auditId: number): Promise<void> {
    if (watching === jobId) return;
    watching = jobId;
    jobStatus.value = 'running';
    try {
      const info = await api().client.call('jobs.watch', { id: jobId }, { onEvent: (e) => onEvent(auditId, e) });
      if (current.value?.id === auditId) {
        jobStatus.value = info.status;
        if (info.error) actionError.value = { code: info.errorCode ?? 'INTERNAL', message: info.error, problems: [] };
      }
    } catch (err) {
      if (current.value?.id === auditId) actionError.value = toUiError(err);
    } finally {
      if (watching === jobId) watching = null;
    }
    if (current.value?.id === auditId) await open(auditId);
    void refresh();
  }

  async function loadAnalysis(): Promise<void> {
    const id = current.value?.id;
    if (id === undefined) return;
    analysing.value = true;
    try {
      const result = await api().client.call('audits.analysis', { id });
      if (current.value?.id === id) analysis.value = result;
    } catch (err) {
      if (current.value?.id === id) loadError.value = toUiError(err);
    } finally {
      analysing.value = false;
    }
  }

  async function makePlan(input: AuditStartInput): Promise<void> {
    try {
      plan.value = await api().client.call('audits.plan', input);
      planError.value = null;
    } catch (err) {
      plan.value = null;
      planError.value = toUiError(err);
    }
  }

  /**
   * Calibrates the setup and keeps its estimate; a second call (or clearEstimate, when the
   * setup changes) cancels the calibration in flight, whose answer is then dropped.
   */
  async function makeEstimate(input: AuditStartInput): Promise<void> {
    estimateCall?.abort();
    const call = new AbortController();
    estimateCall = call;
    estimating.value = true;
    estimate.value = null;
    estimateError.value = null;
    estimateProgress.value = null;
    try {
      const result = await api().client.call('audits.estimate', input, {
        signal: call.signal,
        onProgress: (p) => {
          if (estimateCall === call) estimateProgress.value = p;
        },
      });
      if (estimateCall === call) estimate.value = result;
    } catch (err) {
      if (estimateCall === call) estimateError.value = toUiError(err);
    } finally {
      if (estimateCall === call) {
        estimating.value = false;
        estimateCall = null;
      }
    }
  }

  function clearEstimate(): void {
    estimateCall?.abort();
    estimateCall = null;
    estimating.value = false;
    estimate.value = null;
    estimateError.value = null;
    estimateProgress.value = null;
  }

  async function start(input: AuditStartInput): Promise<number | null> {
    starting.value = true;
    planError.value = null;
    try {
      const { audit, jobId } = await api().client.call('audits.start', input);
      void refresh();
      current.value = null;
      await open(audit.id);
      void watch(jobId, audit.id);
      return audit.id;
    } catch (err) {
      planError.value = toUiError(err);
      return null;
    } finally {
      starting.value = false;
    }
  }

  async function act(kind: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const id = current.value?.id;
    if (id === undefined) return;
    actionError.value = null;
    try {
      if (kind === 'resume') {
        const { jobId } = await api().client.call('audits.resume', { id });
        await open(id);
        void watch(jobId, id);
      } else {
        await api().client.call(kind === 'pause' ? 'audits.pause' : 'audits.cancel', { id });
        await open(id);
      }
      void refresh();
    } catch (err) {
      actionError.value = toUiError(err);
    }
  }

  return {
    list,
    loaded,
    listError,
    current,
    cells,
    rows,
    analysis,
    categories,
    analysing,
    loadError,
    actionError,
    progress,
    jobStatus,
    warnings,
    cellEvents,
    plan,
    planError,
    starting,
    estimate,
    estimateError,
    estimateProgress,
    estimating,
    makeEstimate,
    clearEstimate,
    refresh,
    open,
    loadAnalysis,
    makePlan,
    start,
    act,
  };
});
