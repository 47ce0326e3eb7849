/**
 * The first run: whether the store is empty (no datasets, models or audits, so the app
 * opens on the welcome screen) and the one action of that screen, `demo.setup`: the demo
 * scenes generated, the demo detector family imported and the demo audit started (or
 * resumed, or found finished). Its progress is shown while it works; the caller then opens
 * the audit's live view, which follows the job with jobs.watch.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { DemoPresetName, DemoWorkspace } from '../../../shared/demo';
import { DEMO_PRESET_NAMES } from '../../../shared/demo';
import type { Progress } from '../../../shared/schemas';
import { api } from '../api';
import { toUiError, type UiError } from '../api/ui-error';

/** The preset named in the address (`#/welcome?preset=smoke`, used by tests), else the first-run `demo`. */
export function demoPreset(query: unknown): DemoPresetName {
  return (DEMO_PRESET_NAMES as readonly unknown[]).includes(query) ? (query as DemoPresetName) : 'demo';
}

/** True when the store holds no dataset, model or audit; false when it does or the engine cannot say. */
export async function storeIsEmpty(): Promise<boolean> {
  if (api().fatal) return false;
  try {
    const client = api().client;
    const [datasets, models, audits] = await Promise.all([
      client.call('datasets.list', {}),
      client.call('models.list', {}),
      client.call('audits.list', {}),
    ]);
    return datasets.length === 0 && models.length === 0 && audits.length === 0;
  } catch {
    return false;
  }
}

export const useWelcomeStore = defineStore('welcome', () => {
  const busy = ref(false);
  const progress = shallowRef<Progress | null>(null);
  const error = ref<UiError | null>(null);
  const workspace = shallowRef<DemoWorkspace | null>(null);

  /** Sets up the demo workspace; resolves with it, or null on failure (error says why). */
  async function openDemo(preset: DemoPresetName): Promise<DemoWorkspace | null> {
    if (busy.value) return null;
    busy.value = true;
    error.value = null;
    progress.value = null;
    try {
      workspace.value = await api().client.call('demo.setup', { preset }, { onProgress: (p) => (progress.value = p) });
      return workspace.value;
    } catch (err) {
      error.value = toUiError(err);
      return null;
    } finally {
      busy.value = false;
    }
  }

  return { busy, progress, error, workspace, openDemo };
});
