/**
 * Forward-only schema migrations. Each entry moves the store from version i to i+1
 * and runs inside one transaction with the version bump, so a store is always at a
 * version listed here. Never edit a shipped migration: add the next one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'models, datasets, images, categories, annotations, evaluations, detections, metrics',
    sql: `
      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        file_size INTEGER NOT NULL,
        io_json TEXT NOT NULL,
        adapter_json TEXT NOT NULL,
        adapter_source TEXT NOT NULL CHECK (adapter_source IN ('auto', 'user')),
        detect_confidence REAL NOT NULL,
        detect_reason TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        root TEXT NOT NULL,
        format TEXT NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        info_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE categories (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        id INTEGER NOT NULL,
        name TEXT NOT NULL,
        supercategory TEXT,
        coco_equivalent TEXT,
        PRIMARY KEY (dataset_id, id)
      );
      CREATE TABLE images (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        id INTEGER NOT NULL,
        file_name TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        extra_json TEXT,
        PRIMARY KEY (dataset_id, id)
      );
      CREATE TABLE annotations (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        id INTEGER NOT NULL,
        image_id INTEGER NOT NULL,
        category_id INTEGER NOT NULL,
        x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
        area REAL NOT NULL,
        iscrowd INTEGER NOT NULL,
        extra_json TEXT,
        PRIMARY KEY (dataset_id, id)
      );
      CREATE INDEX annotations_by_image ON annotations(dataset_id, image_id);
      CREATE TABLE evaluations (
        id INTEGER PRIMARY KEY,
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
        params_json TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        execution_provider TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        seconds REAL,
        error TEXT
      );
      CREATE TABLE detections (
        evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL,
        category_id INTEGER NOT NULL,
        x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
        score REAL NOT NULL
      );
      CREATE INDEX detections_by_image ON detections(evaluation_id, image_id);
      CREATE TABLE metrics (
        evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
        -- NULL for the whole dataset, else a dataset category id
        category_id INTEGER,
        metric TEXT NOT NULL,
        value REAL
      );
      CREATE UNIQUE INDEX metrics_key ON metrics(evaluation_id, IFNULL(category_id, -1), metric);
    `,
  },
  {
    version: 2,
    description: 'class maps saved per (model, dataset)',
    sql: `
      CREATE TABLE class_maps (
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        -- {"<dataset category id>": ["model class name", ...]}
        map_json TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (model_id, dataset_id)
      );
      CREATE INDEX class_maps_by_dataset ON class_maps(dataset_id);
    `,
  },
  {
    version: 3,
    description: 'model compression fingerprints; the execution provider an evaluation asked for and why it fell back',
    sql: `
      ALTER TABLE models ADD COLUMN fingerprint_json TEXT;
      ALTER TABLE evaluations ADD COLUMN requested_provider TEXT;
      ALTER TABLE evaluations ADD COLUMN provider_warning TEXT;
    `,
  },
  {
    version: 4,
    description:
      'class maps in format 2 (evaluation categories with merges and ignore rules); every detection stored with the model class index, category nullable (not scored)',
    sql: `
      -- {"<id>": [classes]} -> {"version": 2, "categories": [one per dataset category, in id order]}.
      -- A saved map that mapped one class to several categories stays so and is then refused
      -- (reported, not used) instead of being silently changed.
      UPDATE class_maps SET map_json = (
        SELECT json_object('version', 2, 'categories', json_group_array(json(g.cat) ORDER BY g.id))
        FROM (
          SELECT c.id AS id,
                 json_object('name', c.name, 'datasetCategories', json_array(c.id),
                             'modelClasses', json(COALESCE(e.value, '[]')), 'ignore', json_array()) AS cat
          FROM categories c
          LEFT JOIN json_each(class_maps.map_json) e ON CAST(e.key AS INTEGER) = c.id
          WHERE c.dataset_id = class_maps.dataset_id
        ) g
      )
      WHERE json_valid(map_json) AND json_type(map_json, '$.version') IS NULL;

      CREATE TABLE detections_v4 (
        evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL,
        -- the evaluation category it scored as; NULL: its model class is not scored
        category_id INTEGER,
        -- the model's own class index; NULL in evaluations recorded before version 4
        class_index INTEGER,
        x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
        score REAL NOT NULL
      );
      INSERT INTO detections_v4 (evaluation_id, image_id, category_id, class_index, x, y, w, h, score)
        SELECT evaluation_id, image_id, category_id, NULL, x, y, w, h, score FROM detections ORDER BY rowid;
      DROP TABLE detections;
      ALTER TABLE detections_v4 RENAME TO detections;
      CREATE INDEX detections_by_image ON detections(evaluation_id, image_id);
    `,
  },
];
