import { defineStore } from 'pinia';
import type { DatasetFormat, DatasetSummary, Progress } from '../../../shared/schemas';
import { api } from '../api';
import { toUiError, type UiError } from '../api/ui-error';
import { importNotice, type ImportNotice } from '../view-models/import-notice';

export interface ImportChoices {
  name?: string;
  /** detected from the folder when absent */
  format?: DatasetFormat;
  split?: string;
}

interface DatasetsState {
  list: DatasetSummary[];
  loaded: boolean;
  listError: UiError | null;
  importing: boolean;
  importProgress: Progress | null;
  importError: UiError | null;
  /** set when the last import found its bytes already stored */
  importNotice: ImportNotice | null;
  selectedId: number | null;
}

export const useDatasetsStore = defineStore('datasets', {
  state: (): DatasetsState => ({
    list: [],
    loaded: false,
    listError: null,
    importing: false,
    importProgress: null,
    importError: null,
    importNotice: null,
    selectedId: null,
  }),
  getters: {
    selected(state): DatasetSummary | null {
      return state.list.find((d) => d.id === state.selectedId) ?? null;
    },
  },
  actions: {
    async refresh(): Promise<void> {
      try {
        this.list = await api().client.call('datasets.list', {});
        this.listError = null;
        if (this.selectedId !== null && !this.list.some((d) => d.id === this.selectedId)) this.select(null);
      } catch (err) {
        this.listError = toUiError(err);
      } finally {
        this.loaded = true;
      }
    },

    async importDataset(dir: string, choices: ImportChoices = {}): Promise<DatasetSummary | null> {
      this.importing = true;
      this.importProgress = null;
      this.importError = null;
      this.importNotice = null;
      try {
        const input = {
          dir,
          ...(choices.name ? { name: choices.name } : {}),
          ...(choices.format ? { format: choices.format } : {}),
          ...(choices.split ? { split: choices.split } : {}),
        };
        const dataset = await api().client.call('datasets.import', input, {
          onProgress: (p) => {
            this.importProgress = p;
          },
        });
        this.importNotice = importNotice('dataset', dataset, dataset.root);
        await this.refresh();
        this.select(dataset.id);
        return dataset;
      } catch (err) {
        this.importError = toUiError(err);
        return null;
      } finally {
        this.importing = false;
        this.importProgress = null;
      }
    },

    async remove(id: number): Promise<void> {
      try {
        await api().client.call('datasets.delete', { id });
        this.listError = null;
      } catch (err) {
        this.listError = toUiError(err);
      }
      await this.refresh();
    },

    /** Renames a stored dataset (the "Rename to …" of an already-imported note). */
    async rename(id: number, name: string): Promise<void> {
      try {
        await api().client.call('datasets.rename', { id, name });
        this.importNotice = null;
        this.listError = null;
      } catch (err) {
        this.listError = toUiError(err);
      }
      await this.refresh();
    },

    select(id: number | null): void {
      this.selectedId = id;
    },
  },
});
