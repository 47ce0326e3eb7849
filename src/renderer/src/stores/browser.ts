/**
 * The dataset browser's data: one dataset's images under a filter, fetched page by page
 * (datasets.images offset/limit) as the virtual grid scrolls to them, and only the
 * pages near the view kept. Pages are stored raw (not deeply reactive): thousands of
 * entries with their boxes would otherwise each get a proxy.
 */
import { defineStore } from 'pinia';
import { markRaw, toRaw } from 'vue';
import type { AttributeSummaryDto, AttributeValueDto, BoxFacetsDto, BoxSize, ImageEntry } from '../../../shared/schemas';
import { api } from '../api';
import { toUiError, type UiError } from '../api/ui-error';
import { pagesFor, pagesToEvict } from '../ui/virtual-grid';

export const BROWSER_PAGE = 120;
/** pages kept around the view: a few screens either way */
const KEEP_PAGES = 16;

/** One value of a listed attribute, or one bin of a numeric one. */
export type AttributeChoice =
  | { key: string; value: AttributeValueDto; scope: 'image' | 'annotation' }
  | { key: string; range: { min: number; max: number; includeMax: boolean }; scope: 'image' | 'annotation' };

interface BrowserState {
  datasetId: number | null;
  categoryId: number | null;
  attribute: AttributeChoice | null;
  boxSize: BoxSize | null;
  /** true: only images with a crowd region; false: only images without */
  crowd: boolean | null;
  /** null until the first page of this filter arrives */
  total: number | null;
  /** bumped on every dataset or filter change; answers for an older one are dropped */
  generation: number;
  pages: Record<number, ImageEntry[]>;
  error: UiError | null;
  attributes: AttributeSummaryDto[];
  attributesError: UiError | null;
  boxFacets: BoxFacetsDto | null;
}

const inFlight = new Set<string>();

export const useBrowserStore = defineStore('browser', {
  state: (): BrowserState => ({
    datasetId: null,
    categoryId: null,
    attribute: null,
    boxSize: null,
    crowd: null,
    total: null,
    generation: 0,
    pages: {},
    error: null,
    attributes: [],
    attributesError: null,
    boxFacets: null,
  }),
  getters: {
    filtered(state): boolean {
      return state.categoryId !== null || state.attribute !== null || state.boxSize !== null || state.crowd !== null;
    },
  },
  actions: {
    /** Shows `datasetId` (from the top, unfiltered), unless it is already shown. */
    open(datasetId: number | null): void {
      if (datasetId === this.datasetId) return;
      this.datasetId = datasetId;
      this.categoryId = null;
      this.attribute = null;
      this.boxSize = null;
      this.crowd = null;
      this.attributes = [];
      this.attributesError = null;
      this.boxFacets = null;
      this.reset();
      if (datasetId !== null) void this.loadAttributes(datasetId);
    },

    /** Re-reads the shown dataset (after a refresh of the list). */
    reload(): void {
      this.reset();
    },

    setCategory(categoryId: number | null): void {
      if (categoryId === this.categoryId) return;
      this.categoryId = categoryId;
      this.reset();
    },

    setAttribute(choice: AttributeChoice | null): void {
      this.attribute = choice;
      this.reset();
    },

    setBoxSize(size: BoxSize | null): void {
      if (size === this.boxSize) return;
      this.boxSize = size;
      this.reset();
    },

    setCrowd(crowd: boolean | null): void {
      if (crowd === this.crowd) return;
      this.crowd = crowd;
      this.reset();
    },

    reset(): void {
      this.generation++;
      this.pages = {};
      this.total = null;
      this.error = null;
      if (this.datasetId !== null) void this.ensure(0, 1);
    },

    async loadAttributes(datasetId: number): Promise<void> {
      try {
        const [attributes, boxFacets] = await Promise.all([
          api().client.call('datasets.attributes', { id: datasetId }),
          api().client.call('datasets.boxFacets', { id: datasetId }),
        ]);
        if (datasetId === this.datasetId) {
          this.attributes = attributes;
          this.boxFacets = boxFacets;
        }
      } catch (err) {
        if (datasetId === this.datasetId) this.attributesError = toUiError(err);
      }
    },

    /** Fetches the pages holding items [start, end) that are not there yet, and drops far ones. */
    async ensure(start: number, end: number): Promise<void> {
      const id = this.datasetId;
      if (id === null) return;
      const wanted = pagesFor(start, Math.max(end, start + 1), BROWSER_PAGE);
      const cached = Object.keys(this.pages).map(Number);
      for (const p of pagesToEvict(cached, wanted, KEEP_PAGES)) delete this.pages[p];
      const generation = this.generation;
      const input = {
        id,
        ...(this.categoryId !== null ? { categoryId: this.categoryId } : {}),
        ...(this.attribute ? { attribute: structuredClone(toRaw(this.attribute)) } : {}),
        ...(this.boxSize !== null ? { boxSize: this.boxSize } : {}),
        ...(this.crowd !== null ? { crowd: this.crowd } : {}),
      };
      await Promise.all(
        wanted
          .filter((p) => !this.pages[p] && (this.total === null || p * BROWSER_PAGE < this.total || p === 0))
          .map(async (p) => {
            const key = `${generation}:${p}`;
            if (inFlight.has(key)) return;
            inFlight.add(key);
            try {
              const result = await api().client.call('datasets.images', { ...input, offset: p * BROWSER_PAGE, limit: BROWSER_PAGE });
              if (generation !== this.generation) return;
              this.total = result.total;
              this.pages[p] = markRaw(result.images);
              this.error = null;
            } catch (err) {
              if (generation === this.generation) this.error = toUiError(err);
            } finally {
              inFlight.delete(key);
            }
          }),
      );
    },

    /** The entry at position `index` under the current filter, if its page is here. */
    entryAt(index: number): ImageEntry | undefined {
      return this.pages[Math.floor(index / BROWSER_PAGE)]?.[index % BROWSER_PAGE];
    },
  },
});
