/**
 * The class map of one (model, dataset) on the Evaluate view: the map in force (the
 * saved one, else the automatic suggestion: classMap.get), the analyst's draft of
 * edits, saving it (classMap.save) and resetting the draft to the suggestion.
 * Evaluations use the map in force, so a draft must be saved (or discarded) before a run.
 */
import { defineStore } from 'pinia';
import type { ClassMap, ClassMapState } from '../../../shared/schemas';
import { api } from '../api';
import { toUiError, type UiError } from '../api/ui-error';
import { addClass, normaliseClassMap, removeClass, sameClassMap } from '../view-models/class-map-edit';
import { useDatasetsStore } from './datasets';
import { useModelsStore } from './models';

interface ClassMapStoreState {
  modelId: number | null;
  datasetId: number | null;
  state: ClassMapState | null;
  draft: ClassMap | null;
  loading: boolean;
  saving: boolean;
  error: UiError | null;
  /** set after a save, until the next edit */
  savedAt: number | null;
}

export const useClassMapStore = defineStore('classmap', {
  state: (): ClassMapStoreState => ({
    modelId: null,
    datasetId: null,
    state: null,
    draft: null,
    loading: false,
    saving: false,
    error: null,
    savedAt: null,
  }),
  getters: {
    classNames(state): string[] {
      return useModelsStore().list.find((m) => m.id === state.modelId)?.adapter.classNames ?? [];
    },
    categories(state) {
      return useDatasetsStore().list.find((d) => d.id === state.datasetId)?.categories ?? [];
    },
    dirty(state): boolean {
      return state.state !== null && state.draft !== null && !sameClassMap(state.draft, state.state.classMap);
    },
  },
  actions: {
    /** Loads the map in force for the pair; a null id clears it. */
    async load(modelId: number | null, datasetId: number | null): Promise<void> {
      this.modelId = modelId;
      this.datasetId = datasetId;
      this.state = null;
      this.draft = null;
      this.error = null;
      this.savedAt = null;
      if (modelId === null || datasetId === null) return;
      this.loading = true;
      try {
        const state = await api().client.call('classMap.get', { modelId, datasetId });
        if (modelId !== this.modelId || datasetId !== this.datasetId) return;
        this.state = { ...state, classMap: normaliseClassMap(state.classMap, this.categories, this.classNames) };
        this.draft = this.state.classMap;
      } catch (err) {
        if (modelId === this.modelId && datasetId === this.datasetId) this.error = toUiError(err);
      } finally {
        if (modelId === this.modelId && datasetId === this.datasetId) this.loading = false;
      }
    },

    add(categoryId: number, className: string): void {
      if (!this.draft) return;
      this.draft = addClass(this.draft, categoryId, className, this.classNames);
      this.savedAt = null;
    },

    remove(categoryId: number, className: string): void {
      if (!this.draft) return;
      this.draft = removeClass(this.draft, categoryId, className);
      this.savedAt = null;
    },

    /** Back to the map in force. */
    discard(): void {
      if (this.state) this.draft = this.state.classMap;
    },

    /** The automatic suggestion, as a draft to save. */
    async resetToSuggestion(): Promise<void> {
      const { modelId, datasetId } = this;
      if (modelId === null || datasetId === null) return;
      try {
        const suggestion = await api().client.call('classMap.suggest', { modelId, datasetId });
        if (modelId !== this.modelId || datasetId !== this.datasetId) return;
        this.draft = normaliseClassMap(suggestion.classMap, this.categories, this.classNames);
        this.savedAt = null;
        this.error = null;
      } catch (err) {
        this.error = toUiError(err);
      }
    },

    async save(): Promise<boolean> {
      const { modelId, datasetId, draft } = this;
      if (modelId === null || datasetId === null || !draft) return false;
      this.saving = true;
      this.error = null;
      try {
        const state = await api().client.call('classMap.save', { modelId, datasetId, classMap: draft });
        if (modelId !== this.modelId || datasetId !== this.datasetId) return false;
        this.state = { ...state, classMap: normaliseClassMap(state.classMap, this.categories, this.classNames) };
        this.draft = this.state.classMap;
        this.savedAt = Date.now();
        return true;
      } catch (err) {
        this.error = toUiError(err);
        return false;
      } finally {
        this.saving = false;
      }
    },
  },
});
