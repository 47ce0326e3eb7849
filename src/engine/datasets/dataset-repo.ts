/**
 * Datasets in the store.
 *
 * `insert` writes a canonical dataset in bounded batches: the dataset row is created
 * in state 'importing' (invisible to every query here), images and boxes follow in
 * transactions of about BATCH_MS each with a turn of the event loop between them, and
 * one last statement makes it 'ready'. A failed or cancelled insert removes what it
 * wrote (also in batches), so the store ends as it was; a crash mid-way leaves an
 * 'importing' row that `purgeUnfinished` removes at the next start. `delete` removes a
 * dataset the same way (state 'deleting', then batches).
 *
 * Summaries (counts, boxes per category, the attribute summary, images per box size and
 * with crowd regions) are computed once at
 * import (summaries.ts) and stored with the dataset, so listing datasets costs
 * O(datasets + categories), whatever their size.
 *
 * Queries and the indexes they use (test/unit/store/query-plans.test.ts checks each):
 *   datasets by id / state            datasets primary key (a handful of rows)
 *   categories of a dataset           categories primary key (dataset_id, id)
 *   a page of images                  images primary key (dataset_id, id)
 *   images of a category              annotations_by_category (dataset_id, category_id, image_id)
 *   images of an attribute value/range attribute_index_lookup (dataset_id, scope, key, value, ...)
 *   images of a box size / crowd      annotations_by_size (dataset_id, iscrowd, area, category_id, image_id)
 *   boxes of an image                 annotations_by_image (dataset_id, image_id)
 *   batched deletes                   annotations / images primary keys (dataset_id, id)
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/database';
import type { BoxFacetsDto, CategoryDto, DatasetSummary, ImageEntry } from '../../shared/schemas';
import { OdraError } from '../../shared/errors';
import type { CanonicalDataset } from './canonical';
import { contentHashSteps } from './content-hash';
import type { GroundTruth } from './ground-truth';
import { datasetAttributes, datasetBoxFacets, imageFilterSql, scalarAttributes, type AttributeFilter, type AttributeSummary, type ImageFilter } from './attributes';
import { drainAsync, yieldToEventLoop } from './import-common';
import { attributeIndexSteps, summarySteps } from './summaries';

interface DatasetRow {
  id: number;
  name: string;
  root: string;
  format: string;
  content_hash: string;
  info_json: string;
  created_at: string;
  state: 'importing' | 'ready' | 'deleting';
  image_count: number;
  annotation_count: number;
  attributes_json: string | null;
  attributes_indexed: number;
  box_facets_json: string | null;
}

/** Target time of one write transaction: what a request may have to wait behind an import. */
export const BATCH_MS = 10;
/** Rows removed per DELETE while purging. */
const PURGE_ROWS = 2000;

export interface InsertOptions {
  signal?: AbortSignal;
  /** rows stored so far of all rows */
  onProgress?: (done: number, total: number) => void;
}

export class DatasetRepo {
  /** prepared once: the image view reads one image's boxes at a time */
  private annotationsOfImage: Statement | null = null;
  /** datasets being purged now, so a second delete waits for the first */
  private readonly purging = new Map<number, Promise<void>>();

  constructor(private readonly db: Db) {}

  /** Stores the dataset, or returns the stored one with the same content hash. */
  async insert(ds: CanonicalDataset, options: InsertOptions = {}): Promise<DatasetSummary> {
    const { signal } = options;
    const hash = await drainAsync(contentHashSteps(ds.categories, ds.images, ds.annotations), signal);
    const existing = this.db.prepare('SELECT id, state FROM datasets WHERE content_hash = ?').get(hash) as { id: number; state: string } | undefined;
    if (existing?.state === 'ready') return this.get(existing.id);
    if (existing?.state === 'importing') throw new OdraError('BAD_INPUT', `the same dataset (${hash.slice(0, 12)}) is being imported already`);
    if (existing) await this.purge(existing.id);
    const summaries = await drainAsync(summarySteps(ds), signal);
    const indexRows = await drainAsync(attributeIndexSteps(ds, summaries.attributes), signal);
    signal?.throwIfAborted();
    const info = { ...ds.info, imageRoot: ds.imageRoot, notes: ds.notes };
    const id = this.db.transaction(() => {
      const res = this.db
        .prepare(
          `INSERT INTO datasets (name, root, format, content_hash, info_json, created_at, state, image_count, annotation_count, attributes_json, attributes_indexed, box_facets_json)
           VALUES (?, ?, ?, ?, ?, ?, 'importing', ?, ?, ?, 1, ?)`,
        )
        .run(
          ds.name,
          ds.root,
          ds.format,
          hash,
          JSON.stringify(info),
          new Date().toISOString(),
          summaries.imageCount,
          summaries.annotationCount,
          JSON.stringify(summaries.attributes),
          JSON.stringify(summaries.boxFacets),
        );
      const datasetId = Number(res.lastInsertRowid);
      const cat = this.db.prepare(
        'INSERT INTO categories (dataset_id, id, name, supercategory, coco_equivalent, box_count) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const c of ds.categories) cat.run(datasetId, c.id, c.name, c.supercategory, c.cocoEquivalent, summaries.boxCounts.get(c.id) ?? 0);
      return datasetId;
    })();
    try {
      const img = this.db.prepare(
        'INSERT INTO images (dataset_id, id, file_name, width, height, sha256, extra_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      const ann = this.db.prepare(
        `INSERT INTO annotations (dataset_id, id, image_id, category_id, x, y, w, h, area, iscrowd, extra_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const attr = this.db.prepare('INSERT INTO attribute_index (dataset_id, scope, key, value, category_id, image_id) VALUES (?, ?, ?, ?, ?, ?)');
      const total = ds.images.length + ds.annotations.length + indexRows.length;
      let done = 0;
      await this.inBatches(ds.images.length, signal, (i) => {
        const im = ds.images[i];
        img.run(id, im.id, im.fileName, im.width, im.height, im.sha256, jsonOrNull(im.extra));
      }, (n) => options.onProgress?.((done = n), total));
      const imagesDone = done;
      await this.inBatches(ds.annotations.length, signal, (i) => {
        const a = ds.annotations[i];
        ann.run(id, a.id, a.imageId, a.categoryId, ...a.bbox, a.area, a.iscrowd ? 1 : 0, jsonOrNull(a.extra));
      }, (n) => options.onProgress?.((done = imagesDone + n), total));
      const boxesDone = done;
      await this.inBatches(indexRows.length, signal, (i) => {
        const r = indexRows[i];
        attr.run(id, r.scope, r.key, r.value, r.categoryId, r.imageId);
      }, (n) => options.onProgress?.(boxesDone + n, total));
      signal?.throwIfAborted();
      this.db.prepare("UPDATE datasets SET state = 'ready' WHERE id = ?").run(id);
    } catch (err) {
      await this.purge(id);
      throw err;
    }
    return this.get(id);
  }

  /** The stored (completely imported) dataset with this content hash, or null. */
  findByContentHash(hash: string): DatasetSummary | null {
    const row = this.db.prepare("SELECT id FROM datasets WHERE content_hash = ? AND state = 'ready'").get(hash) as { id: number } | undefined;
    return row ? this.get(row.id) : null;
  }

  rename(id: number, name: string): DatasetSummary {
    this.row(id);
    this.db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id);
    return this.get(id);
  }

  /** Where the dataset's files are now (the caller has checked every image there). */
  setRoot(id: number, root: string, imageRoot: string): DatasetSummary {
    const ds = this.row(id);
    const info = { ...(JSON.parse(ds.info_json) as Record<string, unknown>), imageRoot };
    this.db.prepare('UPDATE datasets SET root = ?, info_json = ? WHERE id = ?').run(root, JSON.stringify(info), id);
    return this.get(id);
  }

  /** Each image's file name and SHA-256, in id order (what relocation checks). */
  imageHashes(id: number): { root: string; imageRoot: string; images: { id: number; fileName: string; sha256: string }[] } {
    const ds = this.row(id);
    const imageRoot = (JSON.parse(ds.info_json) as { imageRoot?: string }).imageRoot ?? ds.root;
    const images = (
      this.db.prepare('SELECT id, file_name, sha256 FROM images WHERE dataset_id = ? ORDER BY id').all(id) as { id: number; file_name: string; sha256: string }[]
    ).map((r) => ({ id: r.id, fileName: r.file_name, sha256: r.sha256 }));
    return { root: ds.root, imageRoot, images };
  }

  /**
   * Runs `write(i)` for i in [0, count) in transactions of about BATCH_MS each, with a
   * turn of the event loop (and a cancellation check) between them.
   */
  private async inBatches(count: number, signal: AbortSignal | undefined, write: (i: number) => void, progress: (done: number) => void): Promise<void> {
    let i = 0;
    const batch = this.db.transaction(() => {
      const until = performance.now() + BATCH_MS;
      // the clock is read every 64 rows: a row costs microseconds
      do {
        const end = Math.min(count, i + 64);
        for (; i < end; i++) write(i);
      } while (i < count && performance.now() < until);
    });
    while (i < count) {
      signal?.throwIfAborted();
      batch();
      progress(i);
      await yieldToEventLoop();
    }
  }

  list(): DatasetSummary[] {
    const rows = this.db.prepare("SELECT * FROM datasets WHERE state = 'ready' ORDER BY id").all() as DatasetRow[];
    return rows.map((r) => this.summary(r));
  }

  get(id: number): DatasetSummary {
    return this.summary(this.row(id));
  }

  /** Removes a dataset (in batches); false when there is no such dataset. */
  async delete(id: number): Promise<boolean> {
    const row = this.db.prepare("SELECT state FROM datasets WHERE id = ? AND state != 'importing'").get(id) as { state: string } | undefined;
    if (!row) return false;
    await this.purge(id);
    return true;
  }

  /** Removes what crashed imports and deletes left behind (at start-up). */
  async purgeUnfinished(): Promise<number> {
    const ids = (this.db.prepare("SELECT id FROM datasets WHERE state != 'ready'").all() as { id: number }[]).map((r) => r.id);
    for (const id of ids) await this.purge(id);
    return ids.length;
  }

  /**
   * Hides the dataset at once (state 'deleting'), then deletes its boxes and images
   * PURGE_ROWS at a time, yielding between batches, and finally the dataset row (whose
   * cascade removes the categories and what refers to the dataset).
   */
  private purge(id: number): Promise<void> {
    const running = this.purging.get(id);
    if (running) return running;
    const work = (async () => {
      this.db.prepare("UPDATE datasets SET state = 'deleting' WHERE id = ?").run(id);
      const batches = [
        `DELETE FROM attribute_index WHERE rowid IN (SELECT rowid FROM attribute_index WHERE dataset_id = ? LIMIT ${PURGE_ROWS})`,
        ...['annotations', 'images'].map((t) => `DELETE FROM ${t} WHERE dataset_id = ? AND id IN (SELECT id FROM ${t} WHERE dataset_id = ? LIMIT ${PURGE_ROWS})`),
      ];
      for (const sql of batches) {
        const del = this.db.prepare(sql);
        const args = sql.startsWith('DELETE FROM attribute_index') ? [id] : [id, id];
        while (del.run(...args).changes > 0) await yieldToEventLoop();
      }
      this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
    })().finally(() => this.purging.delete(id));
    this.purging.set(id, work);
    return work;
  }

  /**
   * A page of images in id order, each with its boxes; optionally only the images of a
   * category, an attribute value or range, a box size, with / without crowd regions
   * (attributes.ts: imageFilterSql).
   */
  images(id: number, offset: number, limit: number, filter: ImageFilter = {}): { total: number; images: ImageEntry[] } {
    const ds = this.row(id);
    const where = imageFilterSql(id, filter, this.attributeIndexed(ds, filter.attribute));
    const total = where.sql
      ? (this.db.prepare(`SELECT COUNT(*) AS n FROM images WHERE dataset_id = ? ${where.sql}`).get(id, ...where.args) as { n: number }).n
      : ds.image_count;
    const rows = this.db
      .prepare(`SELECT id, file_name, width, height, extra_json FROM images WHERE dataset_id = ? ${where.sql} ORDER BY id LIMIT ? OFFSET ?`)
      .all(id, ...where.args, limit, offset) as ImageRow[];
    // the page's boxes in one query (annotations_by_image), not one per image
    const boxes = new Map<number, AnnotationRow[]>();
    const all = rows.length ? (this.db.prepare(pageAnnotationsSql(rows.length)).all(id, ...rows.map((r) => r.id)) as (AnnotationRow & { image_id: number })[]) : [];
    for (const a of all) {
      const list = boxes.get(a.image_id);
      if (list) list.push(a);
      else boxes.set(a.image_id, [a]);
    }
    return { total, images: rows.map((r) => this.entry(r, boxes.get(r.id) ?? [])) };
  }

  /** Whether the dataset's attribute_index holds this attribute (the summary offers it). */
  private attributeIndexed(ds: DatasetRow, attribute: AttributeFilter | undefined): boolean {
    if (!attribute || ds.attributes_indexed !== 1 || ds.attributes_json === null) return false;
    const scope = attribute.scope ?? 'image';
    return (JSON.parse(ds.attributes_json) as { scope: string; key: string }[]).some((a) => a.scope === scope && a.key === attribute.key);
  }

  /** One image with its boxes. */
  image(id: number, imageId: number): ImageEntry {
    const row = this.db.prepare('SELECT id, file_name, width, height, extra_json FROM images WHERE dataset_id = ? AND id = ?').get(id, imageId) as
      | ImageRow
      | undefined;
    if (!row) throw new OdraError('NOT_FOUND', `dataset ${id} has no image ${imageId}`);
    this.annotationsOfImage ??= this.db.prepare(IMAGE_ANNOTATIONS_SQL);
    return this.entry(row, this.annotationsOfImage.all(id, imageId) as AnnotationRow[]);
  }

  private entry(r: ImageRow, boxes: AnnotationRow[]): ImageEntry {
    const anns = boxes.sort((a, b) => a.id - b.id);
    const attributes = scalarAttributes(r.extra_json);
    return {
      id: r.id,
      fileName: r.file_name,
      width: r.width,
      height: r.height,
      annotations: anns.map((a) => {
        const attrs = scalarAttributes(a.extra_json);
        return {
          id: a.id,
          categoryId: a.category_id,
          bbox: [a.x, a.y, a.w, a.h] as [number, number, number, number],
          iscrowd: a.iscrowd === 1,
          ...(Object.keys(attrs).length ? { attributes: attrs } : {}),
        };
      }),
      ...(Object.keys(attributes).length ? { attributes } : {}),
    };
  }

  /**
   * Scalar image and box attributes with their value counts or bins (attributes.ts):
   * the summary stored at import. A dataset stored before summaries were, or with a
   * summary of the older form (value lists only, no `kind`), gets it computed once
   * here and stored; when that offers an attribute the old summary did not (so not in
   * attribute_index), its filters read extra_json again (attributes_indexed = 0).
   */
  attributes(id: number): AttributeSummary[] {
    const row = this.row(id);
    const stored = row.attributes_json === null ? null : (JSON.parse(row.attributes_json) as ({ scope: string; key: string } & Partial<AttributeSummary>)[]);
    if (stored && stored.every((a) => a.kind !== undefined)) return stored as AttributeSummary[];
    const computed = datasetAttributes(this.db, id);
    const before = new Set((stored ?? []).map((a) => `${a.scope}\u0000${a.key}`));
    const indexed = row.attributes_indexed === 1 && computed.every((a) => before.has(`${a.scope}\u0000${a.key}`)) ? 1 : 0;
    this.db.prepare('UPDATE datasets SET attributes_json = ?, attributes_indexed = ? WHERE id = ?').run(JSON.stringify(computed), indexed, id);
    return computed;
  }

  /** Images per box size and with / without crowd regions: stored at import, or computed once and stored. */
  boxFacets(id: number): BoxFacetsDto {
    const row = this.row(id);
    if (row.box_facets_json !== null) return JSON.parse(row.box_facets_json) as BoxFacetsDto;
    const computed = datasetBoxFacets(this.db, id);
    this.db.prepare('UPDATE datasets SET box_facets_json = ? WHERE id = ?').run(JSON.stringify(computed), id);
    return computed;
  }

  /**
   * Absolute path of one image and the folder its real path must lie in (for the image
   * routes): the dataset's image folder, the same containment the import checked
   * (import-common.ts checkImage).
   */
  imagePath(datasetId: number, imageId: number): { path: string; root: string } {
    const { path, root } = this.imageFile(datasetId, imageId);
    return { path, root };
  }

  /** The image's path, the root it must lie in, and its content hash (the thumbnail's key). */
  imageFile(datasetId: number, imageId: number): { path: string; root: string; sha256: string } {
    const ds = this.row(datasetId);
    const im = this.db.prepare('SELECT file_name, sha256 FROM images WHERE dataset_id = ? AND id = ?').get(datasetId, imageId) as
      | { file_name: string; sha256: string }
      | undefined;
    if (!im) throw new OdraError('NOT_FOUND', `dataset ${datasetId} has no image ${imageId}`);
    const imageRoot = (JSON.parse(ds.info_json) as { imageRoot?: string }).imageRoot ?? ds.root;
    return { path: `${imageRoot}/${im.file_name}`, root: imageRoot, sha256: im.sha256 };
  }

  /** Every image file of the dataset with the hash it had at import, in id order (re-verified before a run). */
  imageFiles(id: number): { id: number; path: string; sha256: string }[] {
    const ds = this.row(id);
    const imageRoot = (JSON.parse(ds.info_json) as { imageRoot?: string }).imageRoot ?? ds.root;
    return (this.db.prepare('SELECT id, file_name, sha256 FROM images WHERE dataset_id = ? ORDER BY id').all(id) as { id: number; file_name: string; sha256: string }[]).map(
      (r) => ({ id: r.id, path: `${imageRoot}/${r.file_name}`, sha256: r.sha256 }),
    );
  }

  /** Everything an evaluation needs, in the evaluator's terms. */
  groundTruth(id: number): GroundTruth {
    const ds = this.row(id);
    const imageRoot = (JSON.parse(ds.info_json) as { imageRoot?: string }).imageRoot ?? ds.root;
    const images = (
      this.db.prepare('SELECT id, file_name, width, height FROM images WHERE dataset_id = ? ORDER BY id').all(id) as {
        id: number;
        file_name: string;
        width: number;
        height: number;
      }[]
    ).map((r) => ({ id: r.id, fileName: r.file_name, width: r.width, height: r.height }));
    const annotations = (
      this.db
        .prepare('SELECT id, image_id, category_id, x, y, w, h, area, iscrowd FROM annotations WHERE dataset_id = ? ORDER BY id')
        .all(id) as (AnnRow & { image_id: number; area: number })[]
    ).map((a) => ({
      id: a.id,
      image_id: a.image_id,
      category_id: a.category_id,
      bbox: [a.x, a.y, a.w, a.h] as [number, number, number, number],
      area: a.area,
      iscrowd: a.iscrowd as 0 | 1,
    }));
    const categories = this.categories(id);
    return { datasetId: id, name: ds.name, contentHash: ds.content_hash, imageRoot, images, annotations, categories };
  }

  private categories(id: number): CategoryDto[] {
    return (
      this.db
        .prepare('SELECT id, name, supercategory, coco_equivalent, box_count AS count FROM categories WHERE dataset_id = ? ORDER BY id')
        .all(id) as { id: number; name: string; supercategory: string | null; coco_equivalent: string | null; count: number }[]
    ).map((c) => ({ id: c.id, name: c.name, supercategory: c.supercategory, cocoEquivalent: c.coco_equivalent, count: c.count }));
  }

  private row(id: number): DatasetRow {
    const row = this.db.prepare("SELECT * FROM datasets WHERE id = ? AND state = 'ready'").get(id) as DatasetRow | undefined;
    if (!row) throw new OdraError('NOT_FOUND', `no dataset with id ${id}`);
    return row;
  }

  private summary(r: DatasetRow): DatasetSummary {
    return {
      id: r.id,
      name: r.name,
      root: r.root,
      format: r.format,
      contentHash: r.content_hash,
      imageCount: r.image_count,
      annotationCount: r.annotation_count,
      createdAt: r.created_at,
      categories: this.categories(r.id),
      notes: (JSON.parse(r.info_json) as { notes?: string[] }).notes ?? [],
    };
  }
}

interface ImageRow {
  id: number;
  file_name: string;
  width: number;
  height: number;
  extra_json: string | null;
}

type AnnotationRow = AnnRow & { extra_json: string | null };

// No ORDER BY in these two: with one, SQLite walks the primary key (dataset_id, id) over
// the whole dataset instead of the (dataset_id, image_id) index; boxes are sorted in JS.
export const IMAGE_ANNOTATIONS_SQL = 'SELECT id, category_id, x, y, w, h, iscrowd, extra_json FROM annotations WHERE dataset_id = ? AND image_id = ?';
/**
 * The boxes of a page of `n` images (n >= 1). An IN list of parameters, not a JSON
 * array: with `IN (SELECT value FROM json_each(?))` SQLite may scan every box.
 */
export function pageAnnotationsSql(n: number): string {
  return `SELECT id, image_id, category_id, x, y, w, h, iscrowd, extra_json FROM annotations WHERE dataset_id = ? AND image_id IN (${new Array<string>(n).fill('?').join(', ')})`;
}

interface AnnRow {
  id: number;
  category_id: number;
  x: number;
  y: number;
  w: number;
  h: number;
  iscrowd: number;
}

function jsonOrNull(value: Record<string, unknown>): string | null {
  return Object.keys(value).length ? JSON.stringify(value) : null;
}
