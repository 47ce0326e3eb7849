/**
 * Evaluations on the Evaluate view: the list, the one shown (`current`), and a run with
 * its progress, warning, error or cancel notice. Starting a run clears `current`, so
 * the panel never shows the previous evaluation's numbers or warnings as if they were
 * the new run's; a cancelled run leaves a plain notice and no result.
 */
import { defineStore } from 'pinia';
import type { EvaluationDto, Progress } from '../../../shared/schemas';
import { api } from '../api';
import { isCancelled, toUiError, type UiError } from '../api/ui-error';
import { cancelNotice } from '../ui/format';

/** How to run: absent fields take the engine's defaults (CPU, ORT's threads, batch 8 where the model allows). */
export interface RunOptions {
  executionProvider?: string;
  threads?: number;
  batchSize?: number;
}

interface EvaluationsState {
  list: EvaluationDto[];
  loaded: boolean;
  listError: UiError | null;
  running: boolean;
  progress: Progress | null;
  /** a warning the running evaluation reported (an execution-provider fallback), kept for the whole run */
  runWarning: string | null;
  runError: UiError | null;
  /** a short line after a cancelled run */
  runNotice: string | null;
  current: EvaluationDto | null;
  openError: UiError | null;
}

// The AbortController lives outside the state: it is not data to render or persist.
let controller: AbortController | null = null;

export const useEvaluationsStore = defineStore('evaluations', {
  state: (): EvaluationsState => ({
    list: [],
    loaded: false,
    listError: null,
    running: false,
    progress: null,
    runWarning: null,
    runError: null,
    runNotice: null,
    current: null,
    openError: null,
  }),
  actions: {
    async refresh(): Promise<void> {
      try {
        const list = await api().client.call('evaluations.list', {});
        this.list = [...list].sort((a, b) => b.id - a.id);
        this.listError = null;
      } catch (err) {
        this.listError = toUiError(err);
      } finally {
        this.loaded = true;
      }
    },

    async run(modelId: number, datasetId: number, options: RunOptions = {}): Promise<void> {
      if (this.running) return;
      controller = new AbortController();
      this.running = true;
      this.progress = null;
      this.runWarning = null;
      this.runError = null;
      this.runNotice = null;
      this.current = null;
      this.openError = null;
      try {
        const result = await api().client.call(
          'evaluations.run',
          {
            modelId,
            datasetId,
            ...(options.executionProvider ? { executionProvider: options.executionProvider } : {}),
            ...(options.threads ? { threads: options.threads } : {}),
            ...(options.batchSize ? { batchSize: options.batchSize } : {}),
          },
          {
            signal: controller.signal,
            onProgress: (p) => {
              this.progress = p;
              if (p.message) this.runWarning = p.message;
            },
          },
        );
        this.current = result;
        this.openError = null;
      } catch (err) {
        if (isCancelled(err)) this.runNotice = cancelNotice(toUiError(err).message);
        else this.runError = toUiError(err);
      } finally {
        this.running = false;
        this.progress = null;
        this.runWarning = null;
        controller = null;
      }
      await this.refresh();
    },

    cancel(): void {
      controller?.abort();
    },

    async open(id: number): Promise<void> {
      try {
        this.current = await api().client.call('evaluations.get', { id });
        this.openError = null;
      } catch (err) {
        this.openError = toUiError(err);
      }
    },
  },
});
