import { defineStore } from 'pinia';
import type { ClassMap, EvaluationDto, Progress } from '../../../shared/schemas';
import { api } from '../api';
import { isCancelled, toUiError, type UiError } from '../api/ui-error';

export interface ClassMapSuggestion {
  modelId: number;
  datasetId: number;
  classMap: ClassMap;
  unmapped: string[];
}

interface EvaluationsState {
  list: EvaluationDto[];
  loaded: boolean;
  listError: UiError | null;
  running: boolean;
  progress: Progress | null;
  runError: UiError | null;
  /** a short line after a cancelled run */
  runNotice: string | null;
  current: EvaluationDto | null;
  openError: UiError | null;
  suggestion: ClassMapSuggestion | null;
  suggesting: boolean;
  suggestError: UiError | null;
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
    runError: null,
    runNotice: null,
    current: null,
    openError: null,
    suggestion: null,
    suggesting: false,
    suggestError: null,
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

    async suggest(modelId: number, datasetId: number): Promise<void> {
      this.suggesting = true;
      this.suggestError = null;
      try {
        const result = await api().client.call('classMap.suggest', { modelId, datasetId });
        this.suggestion = { modelId, datasetId, classMap: result.classMap, unmapped: result.unmapped };
      } catch (err) {
        this.suggestion = null;
        this.suggestError = toUiError(err);
      } finally {
        this.suggesting = false;
      }
    },

    clearSuggestion(): void {
      this.suggestion = null;
      this.suggestError = null;
    },

    async run(modelId: number, datasetId: number): Promise<void> {
      if (this.running) return;
      controller = new AbortController();
      this.running = true;
      this.progress = null;
      this.runError = null;
      this.runNotice = null;
      try {
        const result = await api().client.call(
          'evaluations.run',
          { modelId, datasetId },
          {
            signal: controller.signal,
            onProgress: (p) => {
              this.progress = p;
            },
          },
        );
        this.current = result;
        this.openError = null;
      } catch (err) {
        if (isCancelled(err)) this.runNotice = 'The evaluation was cancelled.';
        else this.runError = toUiError(err);
      } finally {
        this.running = false;
        this.progress = null;
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
