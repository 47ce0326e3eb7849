/** Datasets: the shared list-import-select catalogue (stores/catalog.ts) over datasets.*, with relocation (stores/relocation.ts). */
import { defineStore } from 'pinia';
import { reactive, watch } from 'vue';
import type { DatasetFormat, DatasetSummary } from '../../../shared/schemas';
import { api } from '../api';
import { importNotice } from '../view-models/import-notice';
import { useCatalog } from './catalog';
import { useRelocation } from './relocation';

export interface ImportChoices {
  name?: string;
  /** detected from the folder when absent */
  format?: DatasetFormat;
  split?: string;
}

export const useDatasetsStore = defineStore('datasets', () => {
  const catalog = useCatalog<DatasetSummary, { dir: string; choices: ImportChoices }>({
    list: () => api().client.call('datasets.list', {}),
    create: ({ dir, choices }, onProgress) =>
      api().client.call(
        'datasets.import',
        {
          dir,
          ...(choices.name ? { name: choices.name } : {}),
          ...(choices.format ? { format: choices.format } : {}),
          ...(choices.split ? { split: choices.split } : {}),
        },
        { onProgress },
      ),
    remove: (id) => api().client.call('datasets.delete', { id }),
    rename: (id, name) => api().client.call('datasets.rename', { id, name }),
    notice: (item) => importNotice('dataset', item, item.root),
  });
  const relocation = useRelocation<DatasetSummary>({
    status: (id) => api().client.call('datasets.fileStatus', { id }),
    relocate: (id, dir, onProgress) => api().client.call('datasets.relocate', { id, dir }, { onProgress }),
    replace: catalog.replace,
  });
  // every new list (a visit, an import, a removal) gets its items' file status
  watch(catalog.list, (items) => void relocation.checkAll(items.map((d) => d.id)));
  return {
    ...catalog,
    // reactive: the view reads its members unwrapped (datasets.relocation.busy)
    relocation: reactive(relocation),
    importDataset: (dir: string, choices: ImportChoices = {}) => catalog.create({ dir, choices }),
  };
});
