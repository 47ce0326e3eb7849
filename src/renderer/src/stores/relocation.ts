/**
 * Relocation for the Datasets and Models stores, once: each listed item's file status
 * (datasets.fileStatus / models.fileStatus, stat only) and the "Relocate…" of one item
 * (datasets.relocate / models.relocate: the engine re-hashes the new place and changes
 * nothing unless it holds the same bytes). A relocated item keeps its id, so its
 * evaluations and audits stay as they were; the store puts the engine's answer in the
 * list and checks the item's status again.
 */
import { ref, shallowRef, type Ref } from 'vue';
import type { FileStatus, Progress } from '../../../shared/schemas';
import { toUiError, type UiError } from '../api/ui-error';

export interface RelocationSource<T extends { id: number }> {
  status(id: number): Promise<FileStatus>;
  relocate(id: number, target: string, onProgress: (progress: Progress) => void): Promise<T>;
  /** puts the relocated item in the catalogue's list */
  replace(item: T): void;
}

export function useRelocation<T extends { id: number }>(source: RelocationSource<T>) {
  /** by item id; an item whose status could not be read has none */
  const statuses = shallowRef<Record<number, FileStatus>>({}) as Ref<Record<number, FileStatus>>;
  /** the item whose relocate form is open */
  const relocatingId = ref<number | null>(null);
  const busy = ref(false);
  const progress = ref<Progress | null>(null);
  const error = ref<UiError | null>(null);
  /** the last relocation's item, shown as done until the form is opened again */
  const doneId = ref<number | null>(null);

  function setStatus(id: number, status: FileStatus): void {
    statuses.value = { ...statuses.value, [id]: status };
  }

  /** Reads every item's status; one that fails to answer keeps no status (the list still shows the item). */
  async function checkAll(ids: readonly number[]): Promise<void> {
    const entries = await Promise.all(ids.map(async (id) => [id, await source.status(id).catch(() => null)] as const));
    const next: Record<number, FileStatus> = {};
    for (const [id, status] of entries) if (status) next[id] = status;
    statuses.value = next;
  }

  function open(id: number): void {
    relocatingId.value = id;
    error.value = null;
    doneId.value = null;
  }

  function close(): void {
    if (busy.value) return;
    relocatingId.value = null;
    error.value = null;
  }

  /** Relocates the open item to `target`; on a refusal the error names the place and nothing changed. */
  async function relocate(target: string): Promise<T | null> {
    const id = relocatingId.value;
    if (id === null || !target) return null;
    busy.value = true;
    progress.value = null;
    error.value = null;
    try {
      const item = await source.relocate(id, target, (p) => {
        progress.value = p;
      });
      source.replace(item);
      const status = await source.status(id).catch(() => null);
      if (status) setStatus(id, status);
      relocatingId.value = null;
      doneId.value = id;
      return item;
    } catch (err) {
      error.value = toUiError(err);
      return null;
    } finally {
      busy.value = false;
      progress.value = null;
    }
  }

  return { statuses, relocatingId, busy, progress, error, doneId, checkAll, open, close, relocate };
}
