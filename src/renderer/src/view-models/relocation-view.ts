/**
 * What the "Relocate…" panel shows for the one selected dataset or model, read from the
 * store's relocation state (stores/relocation.ts), which covers every listed item:
 * - status: the item's file status, null while unchecked or when the check failed;
 * - open: the relocate form is open for this item (not for another one);
 * - busy / progress: a relocation is running (only one runs at a time, so these are shared);
 * - error: the last refusal, shown only on the item whose form it came from;
 * - done: this item was the last one relocated.
 */
import type { FileStatus, Progress } from '../../../shared/schemas';
import type { UiError } from '../api/ui-error';

export type RelocationKind = 'dataset' | 'model';

/** The store's relocation members that the panel reads (useRelocation's state, unwrapped). */
export interface RelocationState {
  readonly statuses: Readonly<Record<number, FileStatus>>;
  readonly relocatingId: number | null;
  readonly busy: boolean;
  readonly progress: Progress | null;
  readonly error: UiError | null;
  readonly doneId: number | null;
}

/** RelocatePanel's one prop. */
export interface RelocationView {
  kind: RelocationKind;
  /** the item's id, so the form starts empty for each item */
  itemId: number;
  /** the dataset's folder or the model's file, as the store has it */
  currentPath: string;
  status: FileStatus | null;
  open: boolean;
  busy: boolean;
  progress: Progress | null;
  error: UiError | null;
  /** the item was relocated just now */
  done: boolean;
}

export function relocationView(
  kind: RelocationKind,
  item: { id: number; path: string },
  state: RelocationState,
): RelocationView {
  const open = state.relocatingId === item.id;
  return {
    kind,
    itemId: item.id,
    currentPath: item.path,
    status: state.statuses[item.id] ?? null,
    open,
    busy: state.busy,
    progress: state.progress,
    error: open ? state.error : null,
    done: state.doneId === item.id,
  };
}
