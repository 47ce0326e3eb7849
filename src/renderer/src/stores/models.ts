/**
 * Models: the shared list-import-select catalogue (stores/catalog.ts) over models.*,
 * plus what only a model has: its adapter and its tags, each saved with the engine, and
 * relocation of a moved file (stores/relocation.ts).
 */
import { defineStore } from 'pinia';
import { reactive, ref, watch } from 'vue';
import type { AdapterConfig, ModelFamily } from '../../../shared/adapter';
import type { ModelTags } from '../../../shared/model-tags';
import type { ModelSummary } from '../../../shared/schemas';
import { api } from '../api';
import { toUiError, type UiError } from '../api/ui-error';
import { importNotice } from '../view-models/import-notice';
import { useCatalog } from './catalog';
import { useRelocation } from './relocation';

export interface ModelImportOptions {
  name?: string;
  family?: ModelFamily;
  namesFile?: string;
}

export const useModelsStore = defineStore('models', () => {
  const saving = ref(false);
  const saveError = ref<UiError | null>(null);
  const savedAt = ref<number | null>(null);

  const catalog = useCatalog<ModelSummary, { path: string; options: ModelImportOptions }>({
    list: () => api().client.call('models.list', {}),
    create: ({ path, options }, onProgress) =>
      api().client.call(
        'models.import',
        {
          path,
          ...(options.name ? { name: options.name } : {}),
          ...(options.family ? { family: options.family } : {}),
          ...(options.namesFile ? { namesFile: options.namesFile } : {}),
        },
        { onProgress },
      ),
    remove: (id) => api().client.call('models.delete', { id }),
    rename: (id, name) => api().client.call('models.rename', { id, name }),
    notice: (item) => importNotice('model', item, item.path),
    onSelect: () => {
      saveError.value = null;
      savedAt.value = null;
    },
  });

  const relocation = useRelocation<ModelSummary>({
    status: (id) => api().client.call('models.fileStatus', { id }),
    relocate: (id, path, onProgress) => api().client.call('models.relocate', { id, path }, { onProgress }),
    replace: catalog.replace,
  });
  // every new list (a visit, an import, a removal) gets its items' file status
  watch(catalog.list, (items) => void relocation.checkAll(items.map((m) => m.id)));

  async function save(update: () => Promise<ModelSummary>): Promise<boolean> {
    saving.value = true;
    saveError.value = null;
    try {
      catalog.replace(await update());
      savedAt.value = Date.now();
      return true;
    } catch (err) {
      saveError.value = toUiError(err);
      return false;
    } finally {
      saving.value = false;
    }
  }

  return {
    ...catalog,
    // reactive: the view reads its members unwrapped (models.relocation.busy)
    relocation: reactive(relocation),
    saving,
    saveError,
    savedAt,
    importModel: (path: string, options: ModelImportOptions) => catalog.create({ path, options }),
    /** The adapter must already have passed the shared schema (the form checks it). */
    saveAdapter: (id: number, adapter: AdapterConfig) => save(() => api().client.call('models.setAdapter', { id, adapter })),
    /** null goes back to the suggestion. */
    saveTags: (id: number, tags: ModelTags | null) => save(() => api().client.call('models.setTags', { id, tags })),
  };
});
