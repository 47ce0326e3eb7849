import { defineStore } from 'pinia';
import { markRaw } from 'vue';
import type { CorruptionName, Severity } from '../../../shared/corruptions';
import type { ImageEntry } from '../../../shared/schemas';
import { api } from '../api';
import { isCancelled, toUiError, type UiError } from '../api/ui-error';
import {
  previewInput,
  previewKey,
  type PreviewInput,
  type PreviewMode,
  type PreviewOutput,
  type PreviewSelection,
} from '../view-models/corruption-preview';

/** Thumbnails per page of the image picker. */
export const PICKER_PAGE = 12;

export interface PreviewResult extends PreviewOutput {
  key: string;
  input: PreviewInput;
}

export interface PendingPreview {
  key: string;
  input: PreviewInput;
  startedAt: number;
}

interface CorruptionsState {
  datasetId: number | null;
  images: { total: number; offset: number; images: ImageEntry[] } | null;
  imagesLoading: boolean;
  imagesError: UiError | null;
  /** the chosen image's entry, kept when the picker pages away from it */
  image: ImageEntry | null;
  mode: PreviewMode;
  corruption: CorruptionName;
  severity: Severity;
  seed: number | null;
  pending: PendingPreview | null;
  result: PreviewResult | null;
  error: UiError | null;
  notice: string | null;
}

// Outside the state: handles, not data to render.
let controller: AbortController | null = null;
/** Bumped by every request and every cancel; an answer from an older one is dropped. */
let generation = 0;
let imagesGeneration = 0;

export const useCorruptionsStore = defineStore('corruptions', {
  state: (): CorruptionsState => ({
    datasetId: null,
    images: null,
    imagesLoading: false,
    imagesError: null,
    image: null,
    mode: 'strip',
    corruption: 'gaussian_noise',
    severity: 3,
    seed: 0,
    pending: null,
    result: null,
    error: null,
    notice: null,
  }),
  getters: {
    selection(state): PreviewSelection {
      return {
        datasetId: state.datasetId,
        imageId: state.image?.id ?? null,
        mode: state.mode,
        corruption: state.corruption,
        severity: state.severity,
        seed: state.seed,
      };
    },
    /** The request for what is selected, or null while something is missing. */
    input(): PreviewInput | null {
      return previewInput(this.selection);
    },
    key(): string | null {
      return this.input ? previewKey(this.input) : null;
    },
    /** The answer for what is selected now; an answer for an earlier selection is not shown as this one. */
    current(state): PreviewResult | null {
      return state.result !== null && state.result.key === this.key ? state.result : null;
    },
  },
  actions: {
    selectDataset(id: number | null): void {
      if (id === this.datasetId) return;
      this.datasetId = id;
      this.image = null;
      this.images = null;
      this.imagesError = null;
      this.cancel(null);
      if (id !== null) void this.loadImages(0);
    },

    async loadImages(offset: number): Promise<void> {
      const id = this.datasetId;
      if (id === null) return;
      const mine = ++imagesGeneration;
      this.imagesLoading = true;
      try {
        const page = await api().client.call('datasets.images', { id, offset, limit: PICKER_PAGE });
        if (mine !== imagesGeneration) return;
        this.images = { total: page.total, offset, images: page.images };
        this.imagesError = null;
      } catch (err) {
        if (mine === imagesGeneration) this.imagesError = toUiError(err);
      } finally {
        if (mine === imagesGeneration) this.imagesLoading = false;
      }
    },

    selectImage(image: ImageEntry): void {
      this.image = image;
    },

    /**
     * Asks for the selected preview, replacing any request still running: that one is
     * cancelled at the engine and whatever it answers later is ignored.
     */
    async run(): Promise<void> {
      const input = this.input;
      if (!input) return;
      const key = previewKey(input);
      if (this.pending?.key === key || this.current) return;
      controller?.abort();
      const mine = ++generation;
      const own = new AbortController();
      controller = own;
      this.pending = { key, input, startedAt: Date.now() };
      this.error = null;
      this.notice = null;
      try {
        const output = await api().client.call('corruptions.preview', input, { signal: own.signal });
        if (mine !== generation) return;
        // Raw: a grid is megabytes of data URLs that need no deep reactivity.
        this.result = markRaw({ ...output, key, input });
      } catch (err) {
        if (mine !== generation) return;
        if (isCancelled(err)) this.notice = 'The preview was cancelled.';
        else this.error = toUiError(err);
      } finally {
        if (mine === generation) {
          this.pending = null;
          controller = null;
        }
      }
    },

    /**
     * Stops waiting for the running request at once (its answer, whenever it comes, is
     * ignored); `notice` tells the user, who may have cancelled before it even started.
     */
    cancel(notice: string | null = 'The preview was cancelled.'): void {
      if (this.pending) {
        generation++;
        controller?.abort();
        controller = null;
        this.pending = null;
      }
      if (notice !== null) this.notice = notice;
    },
  },
});
