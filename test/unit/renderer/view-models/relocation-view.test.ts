import { reactive } from 'vue';
import { describe, expect, it } from 'vitest';
import type { FileStatus, Progress } from '../../../../src/shared/schemas';
import { OdraError } from '../../../../src/shared/errors';
import { useRelocation } from '../../../../src/renderer/src/stores/relocation';
import { relocationView } from '../../../../src/renderer/src/view-models/relocation-view';

interface Item {
  id: number;
  path: string;
}

const missing = (path: string): FileStatus => ({
  state: 'missing',
  path,
  files: 1,
  missing: 1,
  changed: 0,
  problems: [{ file: path, problem: 'not found' }],
  message: `${path} is missing: relocate it`,
});
const present = (path: string): FileStatus => ({ state: 'present', path, files: 1, missing: 0, changed: 0, problems: [], message: null });

/** The stores' relocation (useRelocation, wrapped in reactive as the stores do) over an in-memory catalogue. */
function relocationOver(items: Item[], accepts: (target: string) => boolean) {
  let release: () => void = () => undefined;
  const gate = () => new Promise<void>((resolve) => (release = resolve));
  const progress: Progress = { stage: 'hashing', done: 1, total: 2, etaSeconds: null };
  const state = reactive(
    useRelocation<Item>({
      status: async (id) => {
        const item = items.find((i) => i.id === id);
        if (!item) throw new Error(`no item ${id}`);
        return item.path.startsWith('/moved') ? present(item.path) : missing(item.path);
      },
      relocate: async (id, target, onProgress) => {
        onProgress(progress);
        await gate();
        if (!accepts(target)) throw new OdraError('BAD_INPUT', `${target} does not hold the same bytes: choose the folder it was moved to`);
        return { id, path: target };
      },
      replace: (item) => {
        const at = items.findIndex((i) => i.id === item.id);
        items[at] = item;
      },
    }),
  );
  return { state, release: () => release(), progress };
}

describe('relocationView', () => {
  it('shows the selected item its own file status and a closed form', async () => {
    const items = [
      { id: 1, path: '/data/a' },
      { id: 2, path: '/moved/b' },
    ];
    const { state } = relocationOver(items, () => true);
    await state.checkAll([1, 2]);
    expect(relocationView('dataset', items[0], state)).toEqual({
      kind: 'dataset',
      itemId: 1,
      currentPath: '/data/a',
      status: missing('/data/a'),
      open: false,
      busy: false,
      progress: null,
      error: null,
      done: false,
    });
    expect(relocationView('dataset', items[1], state).status?.state).toBe('present');
  });

  it('has no status for an item whose status was not read', () => {
    const { state } = relocationOver([{ id: 1, path: '/data/a' }], () => true);
    expect(relocationView('model', { id: 1, path: '/data/a' }, state).status).toBeNull();
  });

  it('opens the form only on the item it was opened for, and shows the running check with its progress', async () => {
    const items = [
      { id: 1, path: '/data/a' },
      { id: 2, path: '/data/b' },
    ];
    const { state, release, progress } = relocationOver(items, () => true);
    state.open(1);
    expect(relocationView('dataset', items[0], state).open).toBe(true);
    expect(relocationView('dataset', items[1], state).open).toBe(false);

    const running = state.relocate('/moved/a');
    expect(relocationView('dataset', items[0], state)).toMatchObject({ open: true, busy: true, progress });
    release();
    await running;
    expect(relocationView('dataset', items[0], state)).toMatchObject({
      currentPath: '/moved/a',
      open: false,
      busy: false,
      progress: null,
      done: true,
      status: present('/moved/a'),
    });
    expect(relocationView('dataset', items[1], state).done).toBe(false);
  });

  it('shows a refusal on the item whose form it came from, not on another one', async () => {
    const items = [
      { id: 1, path: '/data/a' },
      { id: 2, path: '/data/b' },
    ];
    const { state, release } = relocationOver(items, () => false);
    state.open(2);
    const running = state.relocate('/elsewhere');
    release();
    await running;
    const shown = relocationView('model', items[1], state);
    expect(shown.error?.message).toBe('/elsewhere does not hold the same bytes: choose the folder it was moved to');
    expect(shown).toMatchObject({ open: true, done: false, currentPath: '/data/b' });
    expect(relocationView('model', items[0], state).error).toBeNull();
  });
});
