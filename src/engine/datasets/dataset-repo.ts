/**
 * Datasets in the store. `insert` writes a whole canonical dataset in ONE transaction:
 * either everything lands or nothing does.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/database';
import type { CategoryDto, DatasetSummary, ImageEntry } from '../../shared/schemas';
import { OdraError } from '../../shared/errors';
import type { CanonicalDataset } from './canonical';
import { datasetContentHash } from './content-hash';
import type { GroundTruth } from './ground-truth';
import { datasetAttributes, imageFilterSql, scalarAttributes, type AttributeFilter, type AttributeSummary } from './attributes';

interface DatasetRow {
  id: number;
  name: string;
  root: string;
  format: string;
  content_hash: string;
  info_json: string;
  created_at: string;
}

export class DatasetRepo {
  /** prepared once: a browser page reads the boxes of up to 500 images */
  private annotationsOfImage: Statement | null = null;

  constructor(private readonly db: Db) {}

  /** Stores the dataset, or returns the stored one with the same content hash. */
  insert(ds: CanonicalDataset): DatasetSummary {
    const hash = datasetContentHash(ds.categories, ds.images, ds.annotations);
    const existing = this.db.prepare('SELECT id FROM datasets WHERE content_hash = ?').get(hash) as { id: number } | undefined;
    if (existing) return this.get(existing.id);
    const info = { ...ds.info, imageRoot: ds.imageRoot, notes: ds.notes };
    const id = this.db.transaction(() => {
      const res = this.db
        .prepare('INSERT INTO datasets (name, root, format, content_hash, info_json, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(ds.name, ds.root, ds.format, hash, JSON.stringify(info), new Date().toISOString());
      const datasetId = Number(res.lastInsertRowid);
      const cat = this.db.prepare(
        'INSERT INTO categories (dataset_id, id, name, supercategory, coco_equivalent) VALUES (?, ?, ?, ?, ?)',
      );
      for (const c of ds.categories) cat.run(datasetId, c.id, c.name, c.supercategory, c.cocoEquivalent);
      const img = this.db.prepare(
        'INSERT INTO images (dataset_id, id, file_name, width, height, sha256, extra_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const im of ds.images) img.run(datasetId, im.id, im.fileName, im.width, im.height, im.sha256, jsonOrNull(im.extra));
      const ann = this.db.prepare(
        `INSERT INTO annotations (dataset_id, id, image_id, category_id, x, y, w, h, area, iscrowd, extra_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const a of ds.annotations) {
        ann.run(datasetId, a.id, a.imageId, a.categoryId, ...a.bbox, a.area, a.iscrowd ? 1 : 0, jsonOrNull(a.extra));
      }
      return datasetId;
    })();
    return this.get(id);
  }

  list(): DatasetSummary[] {
    const rows = this.db.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[];
    return rows.map((r) => this.summary(r));
  }

  get(id: number): DatasetSummary {
    return this.summary(this.row(id));
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
  }

  /**
   * A page of images in id order, each with its boxes; optionally only the images of a
   * category and/or an attribute value (attributes.ts: imageFilterSql).
   */
  images(
    id: number,
    offset: number,
    limit: number,
    filter: { categoryId?: number; attribute?: AttributeFilter } = {},
  ): { total: number; images: ImageEntry[] } {
    this.row(id);
    const where = imageFilterSql(id, filter);
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM images WHERE dataset_id = ? ${where.sql}`).get(id, ...where.args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT id, file_name, width, height, extra_json FROM images WHERE dataset_id = ? ${where.sql} ORDER BY id LIMIT ? OFFSET ?`)
      .all(id, ...where.args, limit, offset) as ImageRow[];
    return { total, images: rows.map((r) => this.entry(id, r)) };
  }

  /** One image with its boxes. */
  image(id: number, imageId: number): ImageEntry {
    const row = this.db.prepare('SELECT id, file_name, width, height, extra_json FROM images WHERE dataset_id = ? AND id = ?').get(id, imageId) as
      | ImageRow
      | undefined;
    if (!row) throw new OdraError('NOT_FOUND', `dataset ${id} has no image ${imageId}`);
    return this.entry(id, row);
  }

  private entry(datasetId: number, r: ImageRow): ImageEntry {
    // No ORDER BY: with one, SQLite walks the primary key (dataset_id, id) over the
    // whole dataset instead of the (dataset_id, image_id) index, per image.
    this.annotationsOfImage ??= this.db.prepare(
      'SELECT id, category_id, x, y, w, h, iscrowd, extra_json FROM annotations WHERE dataset_id = ? AND image_id = ?',
    );
    const anns = (this.annotationsOfImage.all(datasetId, r.id) as (AnnRow & { extra_json: string | null })[]).sort((a, b) => a.id - b.id);
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

  /** Scalar image and box attributes with their value counts (attributes.ts). */
  attributes(id: number): AttributeSummary[] {
    this.row(id);
    return datasetAttributes(this.db, id);
  }

  /** Absolute path of one image and the root it must lie in (for the file route). */
  imagePath(datasetId: number, imageId: number): { path: string; root: string } {
    const ds = this.row(datasetId);
    const im = this.db.prepare('SELECT file_name FROM images WHERE dataset_id = ? AND id = ?').get(datasetId, imageId) as
      | { file_name: string }
      | undefined;
    if (!im) throw new OdraError('NOT_FOUND', `dataset ${datasetId} has no image ${imageId}`);
    const imageRoot = (JSON.parse(ds.info_json) as { imageRoot?: string }).imageRoot ?? ds.root;
    return { path: `${imageRoot}/${im.file_name}`, root: ds.root };
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
        .prepare(
          `SELECT c.id, c.name, c.supercategory, c.coco_equivalent,
                  (SELECT COUNT(*) FROM annotations a WHERE a.dataset_id = c.dataset_id AND a.category_id = c.id) AS count
           FROM categories c WHERE c.dataset_id = ? ORDER BY c.id`,
        )
        .all(id) as { id: number; name: string; supercategory: string | null; coco_equivalent: string | null; count: number }[]
    ).map((c) => ({ id: c.id, name: c.name, supercategory: c.supercategory, cocoEquivalent: c.coco_equivalent, count: c.count }));
  }

  private row(id: number): DatasetRow {
    const row = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
    if (!row) throw new OdraError('NOT_FOUND', `no dataset with id ${id}`);
    return row;
  }

  private summary(r: DatasetRow): DatasetSummary {
    const count = (sql: string): number => (this.db.prepare(sql).get(r.id) as { n: number }).n;
    return {
      id: r.id,
      name: r.name,
      root: r.root,
      format: r.format,
      contentHash: r.content_hash,
      imageCount: count('SELECT COUNT(*) AS n FROM images WHERE dataset_id = ?'),
      annotationCount: count('SELECT COUNT(*) AS n FROM annotations WHERE dataset_id = ?'),
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
