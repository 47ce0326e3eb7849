/** What the engine says about itself (system.info), loaded once and shared by the views. */
import { defineStore } from 'pinia';
import type { MethodOutput } from '../../../shared/contract';
import { api } from '../api';
import { toUiError, type UiError } from '../api/ui-error';

interface SystemState {
  info: MethodOutput<'system.info'> | null;
  error: UiError | null;
}

let loading: Promise<void> | null = null;

export const useSystemStore = defineStore('system', {
  state: (): SystemState => ({ info: null, error: null }),
  actions: {
    load(): Promise<void> {
      if (this.info) return Promise.resolve();
      loading ??= api()
        .client.call('system.info', {})
        .then((info) => {
          this.info = info;
          this.error = null;
        })
        .catch((err: unknown) => {
          this.error = toUiError(err);
        })
        .finally(() => {
          loading = null;
        });
      return loading;
    },
  },
});
