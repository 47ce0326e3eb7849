/**
 * The list-import-select pattern of the Datasets and Models stores, once: a list loaded
 * from the engine (refreshed on every visit, since the CLI or another window may change
 * the store), an import with progress and its error, a selection that is dropped when
 * its item disappears, and removal. Each store calls useCatalog inside its own setup
 * function and adds what only it has (the model's adapter and tags, ...).
 */
import { computed, ref, shallowRef, type Ref } from 'vue';
import type { Progress } from '../../../shared/schemas';
import { toUiError, type UiError } from '../api/ui-error';
import type { ImportNotice } from '../view-models/import-notice';

export interface CatalogSource<T extends { id: number }, I> {
  list(): Promise<T[]>;
  create(input: I, onProgress: (progress: Progress) => void): Promise<T>;
  remove(id: number): Promise<unknown>;
  rename(id: number, name: string): Promise<unknown>;
  /** what to tell the user when an import found its bytes already stored (null: nothing) */
  notice(item: T): ImportNotice | null;
  /** runs when the selection changes (e.g. to clear a per-item form state) */
  onSelect?: (id: number | null) => void;
}

export function useCatalog<T extends { id: number }, I>(source: CatalogSource<T, I>) {
  const list = shallowRef<T[]>([]) as Ref<T[]>;
  const loaded = ref(false);
  const listError = ref<UiError | null>(null);
  const importing = ref(false);
  const importProgress = ref<Progress | null>(null);
  const importError = ref<UiError | null>(null);
  /** set when the last import found its bytes already stored */
  const importNotice = ref<ImportNotice | null>(null);
  const selectedId = ref<number | null>(null);
  const selected = computed(() => list.value.find((x) => x.id === selectedId.value) ?? null);

  function select(id: number | null): void {
    if (id === selectedId.value) return;
    selectedId.value = id;
    source.onSelect?.(id);
  }

  async function refresh(): Promise<void> {
    try {
      list.value = await source.list();
      listError.value = null;
      if (selectedId.value !== null && !list.value.some((x) => x.id === selectedId.value)) select(null);
    } catch (err) {
      listError.value = toUiError(err);
    } finally {
      loaded.value = true;
    }
  }

  async function create(input: I): Promise<T | null> {
    importing.value = true;
    importProgress.value = null;
    importError.value = null;
    importNotice.value = null;
    try {
      const item = await source.create(input, (p) => {
        importProgress.value = p;
      });
      importNotice.value = source.notice(item);
      await refresh();
      select(item.id);
      return item;
    } catch (err) {
      importError.value = toUiError(err);
      return null;
    } finally {
      importing.value = false;
      importProgress.value = null;
    }
  }

  async function remove(id: number): Promise<void> {
    try {
      await source.remove(id);
      listError.value = null;
    } catch (err) {
      listError.value = toUiError(err);
    }
    await refresh();
  }

  /** Renames a stored item (the "Rename to …" of an already-imported note). */
  async function rename(id: number, name: string): Promise<void> {
    try {
      await source.rename(id, name);
      importNotice.value = null;
      listError.value = null;
    } catch (err) {
      listError.value = toUiError(err);
    }
    await refresh();
  }

  /** Puts an item the engine returned (after an edit) in place of the listed one. */
  function replace(item: T): void {
    list.value = list.value.map((x) => (x.id === item.id ? item : x));
  }

  return { list, loaded, listError, importing, importProgress, importError, importNotice, selectedId, selected, select, refresh, create, remove, rename, replace };
}
