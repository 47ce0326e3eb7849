/** Datasets: the shared list-import-select catalogue (stores/catalog.ts) over datasets.*. */
import { defineStore } from 'pinia';
import type { DatasetFormat, DatasetSummary } from '../../../shared/schemas';
import { api } from '../api';
import { importNotice } from '../view-models/import-notice';
import { useCatalog } from './catalog';

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
  return {
    ...catalog,
    importDataset: (dir: string, choices: ImportChoices = {}) => catalog.create({ dir, choices }),
  };
});
