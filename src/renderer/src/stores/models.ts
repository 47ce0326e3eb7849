import { defineStore } from 'pinia';
import type { AdapterConfig, ModelFamily } from '../../../shared/adapter';
import type { ModelTags } from '../../../shared/model-tags';
import type { ModelSummary, Progress } from '../../../shared/schemas';
import { api } from '../api';
import { toUiError, type UiError } from '../api/ui-error';

interface ModelsState {
  list: ModelSummary[];
  loaded: boolean;
  listError: UiError | null;
  importing: boolean;
  importProgress: Progress | null;
  importError: UiError | null;
  selectedId: number | null;
  saving: boolean;
  saveError: UiError | null;
  savedAt: number | null;
}

export const useModelsStore = defineStore('models', {
  state: (): ModelsState => ({
    list: [],
    loaded: false,
    listError: null,
    importing: false,
    importProgress: null,
    importError: null,
    selectedId: null,
    saving: false,
    saveError: null,
    savedAt: null,
  }),
  getters: {
    selected(state): ModelSummary | null {
      return state.list.find((m) => m.id === state.selectedId) ?? null;
    },
  },
  actions: {
    async refresh(): Promise<void> {
      try {
        this.list = await api().client.call('models.list', {});
        this.listError = null;
        if (this.selectedId !== null && !this.list.some((m) => m.id === this.selectedId)) this.selectedId = null;
      } catch (err) {
        this.listError = toUiError(err);
      } finally {
        this.loaded = true;
      }
    },

    async importModel(path: string, options: { name?: string; family?: ModelFamily; namesFile?: string }): Promise<ModelSummary | null> {
      this.importing = true;
      this.importProgress = null;
      this.importError = null;
      try {
        const model = await api().client.call(
          'models.import',
          {
            path,
            ...(options.name ? { name: options.name } : {}),
            ...(options.family ? { family: options.family } : {}),
            ...(options.namesFile ? { namesFile: options.namesFile } : {}),
          },
          {
            onProgress: (p) => {
              this.importProgress = p;
            },
          },
        );
        await this.refresh();
        this.select(model.id);
        return model;
      } catch (err) {
        this.importError = toUiError(err);
        return null;
      } finally {
        this.importing = false;
        this.importProgress = null;
      }
    },

    select(id: number | null): void {
      if (id === this.selectedId) return;
      this.selectedId = id;
      this.saveError = null;
      this.savedAt = null;
    },

    /** The adapter must already have passed the shared schema (the form checks it). */
    async saveAdapter(id: number, adapter: AdapterConfig): Promise<boolean> {
      this.saving = true;
      this.saveError = null;
      try {
        const updated = await api().client.call('models.setAdapter', { id, adapter });
        const index = this.list.findIndex((m) => m.id === id);
        if (index >= 0) this.list.splice(index, 1, updated);
        this.savedAt = Date.now();
        return true;
      } catch (err) {
        this.saveError = toUiError(err);
        return false;
      } finally {
        this.saving = false;
      }
    },

    /** null goes back to the suggestion. */
    async saveTags(id: number, tags: ModelTags | null): Promise<boolean> {
      this.saving = true;
      this.saveError = null;
      try {
        const updated = await api().client.call('models.setTags', { id, tags });
        const index = this.list.findIndex((m) => m.id === id);
        if (index >= 0) this.list.splice(index, 1, updated);
        this.savedAt = Date.now();
        return true;
      } catch (err) {
        this.saveError = toUiError(err);
        return false;
      } finally {
        this.saving = false;
      }
    },

    async remove(id: number): Promise<void> {
      try {
        await api().client.call('models.delete', { id });
        this.listError = null;
      } catch (err) {
        this.listError = toUiError(err);
      }
      await this.refresh();
    },
  },
});
