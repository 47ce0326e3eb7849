/**
 * The class map of one (model, dataset) on the Evaluate view: the map in force (the
 * saved one, else the automatic suggestion: classMap.get), the analyst's draft of
 * edits (model classes, merges, ignore rules: class-map-edit.ts), why the engine would
 * refuse the draft, saving it (classMap.save) and resetting the draft to the suggestion
 * with the notes that explain it. Evaluations use the map in force, so a draft must be
 * saved (or discarded) before a run.
 */
import { defineStore } from 'pinia';
import type { ClassMap, ClassMapState } from '../../../shared/schemas';
import { api } from '../api';
import { toUiError, type UiError } from '../api/ui-error';
import {
  addClass,
  addIgnore,
  draftProblems,
  mergeRows,
  normaliseClassMap,
  removeClass,
  removeIgnore,
  renameRow,
  sameClassMap,
  splitRow,
} from '../view-models/class-map-edit';
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
  /** what the automatic suggestion decided (merges, ignore rules), while the draft is the suggestion */
  notes: string[];
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
    notes: [],
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
    /** why classMap.save would refuse the draft; empty when it can be saved */
    problems(state): string[] {
      return state.draft ? draftProblems(state.draft, this.classNames, this.categories) : [];
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
      this.notes = [];
      if (modelId === null || datasetId === null) return;
      this.loading = true;
      try {
        const state = await api().client.call('classMap.get', { modelId, datasetId });
        if (modelId !== this.modelId || datasetId !== this.datasetId) return;
        this.state = { ...state, classMap: normaliseClassMap(state.classMap, this.categories, this.classNames) };
        this.draft = this.state.classMap;
        this.notes = state.notes;
      } catch (err) {
        if (modelId === this.modelId && datasetId === this.datasetId) this.error = toUiError(err);
      } finally {
        if (modelId === this.modelId && datasetId === this.datasetId) this.loading = false;
      }
    },

    /** One edit of the draft; rows are keyed by their evaluation category id. */
    edit(change: (draft: ClassMap) => ClassMap): void {
      if (!this.draft) return;
      this.draft = change(this.draft);
      this.savedAt = null;
    },

    add(rowId: number, className: string): void {
      this.edit((d) => addClass(d, rowId, className, this.classNames));
    },

    remove(rowId: number, className: string): void {
      this.edit((d) => removeClass(d, rowId, className));
    },

    merge(targetId: number, sourceId: number): void {
      this.edit((d) => mergeRows(d, targetId, sourceId, this.classNames));
    },

    split(rowId: number, datasetCategoryId: number): void {
      this.edit((d) => splitRow(d, rowId, datasetCategoryId, this.categories));
    },

    rename(rowId: number, name: string): void {
      this.edit((d) => renameRow(d, rowId, name));
    },

    ignore(rowId: number, datasetCategoryId: number): void {
      this.edit((d) => addIgnore(d, rowId, datasetCategoryId));
    },

    unignore(rowId: number, datasetCategoryId: number): void {
      this.edit((d) => removeIgnore(d, rowId, datasetCategoryId));
    },

    /** Back to the map in force. */
    discard(): void {
      if (this.state) {
        this.draft = this.state.classMap;
        this.notes = this.state.notes;
      }
    },

    /** The automatic suggestion, as a draft to save. */
    async resetToSuggestion(): Promise<void> {
      const { modelId, datasetId } = this;
      if (modelId === null || datasetId === null) return;
      try {
        const suggestion = await api().client.call('classMap.suggest', { modelId, datasetId });
        if (modelId !== this.modelId || datasetId !== this.datasetId) return;
        this.draft = normaliseClassMap(suggestion.classMap, this.categories, this.classNames);
        this.notes = suggestion.notes;
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
        this.notes = [];
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
