import { defineStore } from 'pinia';
import type { DatasetSummary, ImageEntry, Progress } from '../../../shared/schemas';
import { api } from '../api';
import { toUiError, type UiError } from '../api/ui-error';

export const PAGE_SIZE = 24;

interface DatasetsState {
  list: DatasetSummary[];
  loaded: boolean;
  listError: UiError | null;
  importing: boolean;
  importProgress: Progress | null;
  importError: UiError | null;
  selectedId: number | null;
  page: { total: number; offset: number; images: ImageEntry[] } | null;
  pageLoading: boolean;
  pageError: UiError | null;
  categoryFilter: number | null;
}

export const useDatasetsStore = defineStore('datasets', {
  state: (): DatasetsState => ({
    list: [],
    loaded: false,
    listError: null,
    importing: false,
    importProgress: null,
    importError: null,
    selectedId: null,
    page: null,
    pageLoading: false,
    pageError: null,
    categoryFilter: null,
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

    async importDataset(dir: string, name?: string): Promise<DatasetSummary | null> {
      this.importing = true;
      this.importProgress = null;
      this.importError = null;
      try {
        const input = name ? { dir, name } : { dir };
        const dataset = await api().client.call('datasets.import', input, {
          onProgress: (p) => {
            this.importProgress = p;
          },
        });
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

    select(id: number | null): void {
      if (id === this.selectedId) return;
      this.selectedId = id;
      this.categoryFilter = null;
      this.page = null;
      this.pageError = null;
      if (id !== null) void this.loadPage(0);
    },

    setCategoryFilter(categoryId: number | null): void {
      this.categoryFilter = categoryId;
      void this.loadPage(0);
    },

    async loadPage(offset: number): Promise<void> {
      const id = this.selectedId;
      if (id === null) return;
      const categoryId = this.categoryFilter;
      this.pageLoading = true;
      try {
        const input = categoryId === null ? { id, offset, limit: PAGE_SIZE } : { id, offset, limit: PAGE_SIZE, categoryId };
        const result = await api().client.call('datasets.images', input);
        // A slower earlier answer must not overwrite a newer selection.
        if (id !== this.selectedId || categoryId !== this.categoryFilter) return;
        this.page = { total: result.total, offset, images: result.images };
        this.pageError = null;
      } catch (err) {
        if (id === this.selectedId) this.pageError = toUiError(err);
      } finally {
        if (id === this.selectedId) this.pageLoading = false;
      }
    },
  },
});
