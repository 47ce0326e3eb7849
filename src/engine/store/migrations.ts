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
  {
    version: 5,
    description: 'dataset summaries stored at import (counts, per-category boxes, attributes), import state, annotations by category',
    sql: `
      -- importing/deleting: rows being written or removed in batches; only 'ready' datasets are visible
      ALTER TABLE datasets ADD COLUMN state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('importing', 'ready', 'deleting'));
      ALTER TABLE datasets ADD COLUMN image_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE datasets ADD COLUMN annotation_count INTEGER NOT NULL DEFAULT 0;
      -- the attribute summary (attributes.ts AttributeSummary[] as JSON); NULL until computed
      ALTER TABLE datasets ADD COLUMN attributes_json TEXT;
      ALTER TABLE categories ADD COLUMN box_count INTEGER NOT NULL DEFAULT 0;
      -- the grid's category filter and the per-category counts
      CREATE INDEX annotations_by_category ON annotations(dataset_id, category_id, image_id);
      -- the grid's attribute filter: which images have an attribute value (scope image), or a
      -- box of a category with it (scope annotation: one row per image, category and value);
      -- value is the JSON text of the value (types kept apart: "1", 1, true); only the
      -- attributes the summary offers. attributes_indexed = 1 once a dataset's rows are in.
      CREATE TABLE attribute_index (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        scope TEXT NOT NULL CHECK (scope IN ('image', 'annotation')),
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        category_id INTEGER,
        image_id INTEGER NOT NULL
      );
      CREATE INDEX attribute_index_lookup ON attribute_index(dataset_id, scope, key, value, category_id, image_id);
      ALTER TABLE datasets ADD COLUMN attributes_indexed INTEGER NOT NULL DEFAULT 0;
      UPDATE datasets SET
        image_count = (SELECT COUNT(*) FROM images i WHERE i.dataset_id = datasets.id),
        annotation_count = (SELECT COUNT(*) FROM annotations a WHERE a.dataset_id = datasets.id);
      UPDATE categories SET
        box_count = (SELECT COUNT(*) FROM annotations a WHERE a.dataset_id = categories.dataset_id AND a.category_id = categories.id);
    `,
  },
  {
    version: 6,
    description: 'audits (plan, models, conditions, images, raw detections per unit, scored cells); evaluations become clean audits',
    sql: `
      CREATE TABLE audits (
        id INTEGER PRIMARY KEY,
        -- evaluation: one model on the clean condition (the Evaluate view); audit: anything else
        kind TEXT NOT NULL CHECK (kind IN ('audit', 'evaluation')),
        name TEXT NOT NULL,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        status TEXT NOT NULL CHECK (status IN ('running', 'paused', 'interrupted', 'done', 'failed', 'cancelled')),
        seed INTEGER NOT NULL,
        sample INTEGER,
        -- execution settings as asked: {executionProvider, threads, batchSize, recordInputDigests}
        plan_json TEXT NOT NULL,
        -- what the audit computes (audits/plan.ts planFingerprint); the CLI resumes by it
        fingerprint TEXT NOT NULL,
        provenance_json TEXT,
        tool_version TEXT NOT NULL,
        units_total INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        -- running time summed over every run
        seconds REAL NOT NULL DEFAULT 0,
        error TEXT,
        -- 1: migrated from an evaluation stored before audits (its detections in legacy_detections, its numbers as they were)
        legacy INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX audits_by_fingerprint ON audits(fingerprint);
      CREATE INDEX audits_by_dataset ON audits(dataset_id);
      CREATE TABLE audit_models (
        audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        baseline INTEGER NOT NULL,
        -- the model as it was audited: its adapter (class names) and the class map scoring applies
        adapter_json TEXT NOT NULL,
        class_map_json TEXT NOT NULL,
        execution_provider TEXT,
        requested_provider TEXT,
        provider_warning TEXT,
        PRIMARY KEY (audit_id, position)
      );
      CREATE INDEX audit_models_by_model ON audit_models(model_id);
      -- deleting a model deletes the audits it took part in (as it deleted its evaluations)
      CREATE TRIGGER audit_model_deleted AFTER DELETE ON audit_models
        BEGIN DELETE FROM audits WHERE id = OLD.audit_id; END;
      CREATE TABLE audit_conditions (
        audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        corruption TEXT NOT NULL,
        severity INTEGER NOT NULL,
        PRIMARY KEY (audit_id, position)
      ) WITHOUT ROWID;
      CREATE TABLE audit_images (
        audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        image_id INTEGER NOT NULL,
        PRIMARY KEY (audit_id, position)
      ) WITHOUT ROWID;
      CREATE INDEX audit_images_by_image ON audit_images(audit_id, image_id);
      -- one row per done (image, condition, model): the unit's raw detections packed
      -- (audits/packing.ts); the row IS the record that the unit is done. Clustered by
      -- cell so scoring a cell reads one contiguous range.
      CREATE TABLE audit_units (
        audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        condition_pos INTEGER NOT NULL,
        model_pos INTEGER NOT NULL,
        image_pos INTEGER NOT NULL,
        detections BLOB NOT NULL,
        PRIMARY KEY (audit_id, condition_pos, model_pos, image_pos)
      ) WITHOUT ROWID;
      -- SHA-256 of the pixels fed to the models, when the plan asks for it
      CREATE TABLE audit_input_digests (
        audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        condition_pos INTEGER NOT NULL,
        image_pos INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (audit_id, condition_pos, image_pos)
      ) WITHOUT ROWID;
      -- every cell of the plan, from the start: units done (kept with each batch of units,
      -- so progress and resume never scan the detections), then its scores
      CREATE TABLE audit_cells (
        audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        model_pos INTEGER NOT NULL,
        condition_pos INTEGER NOT NULL,
        units_done INTEGER NOT NULL DEFAULT 0,
        -- the 12 COCO stats; NULL until the cell is scored
        stats_json TEXT,
        -- the cell's compact match record for re-accumulation (the bootstrap); NULL when not made
        record BLOB,
        scored_at TEXT,
        PRIMARY KEY (audit_id, model_pos, condition_pos)
      ) WITHOUT ROWID;
      CREATE TABLE audit_cell_categories (
        audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        model_pos INTEGER NOT NULL,
        condition_pos INTEGER NOT NULL,
        category_id INTEGER NOT NULL,
        ap REAL,
        ap50 REAL,
        num_gt INTEGER NOT NULL,
        num_dets INTEGER NOT NULL,
        PRIMARY KEY (audit_id, model_pos, condition_pos, category_id)
      ) WITHOUT ROWID;
      -- analysed results (P, mPC, rPC, intervals) per analysis options, so a finished audit prints without recomputing
      CREATE TABLE audit_results (
        audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        options_key TEXT NOT NULL,
        result_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (audit_id, options_key)
      ) WITHOUT ROWID;
      -- files verified before a run: size and mtime as last seen with the hash they had
      CREATE TABLE file_checks (
        path TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        sha256 TEXT NOT NULL,
        checked_at TEXT NOT NULL
      ) WITHOUT ROWID;
      -- an evaluation's detections as stored before audits: category_id NULL for a class not
      -- scored, class_index NULL before schema 4 (kept as they were, never re-scored)
      CREATE TABLE legacy_detections (
        audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL,
        category_id INTEGER,
        class_index INTEGER,
        x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
        score REAL NOT NULL
      );
      CREATE INDEX legacy_detections_by_image ON legacy_detections(audit_id, image_id);

      -- every evaluation becomes a clean audit with the same id, its numbers unchanged
      INSERT INTO audits (id, kind, name, dataset_id, status, seed, sample, plan_json, fingerprint, provenance_json,
                          tool_version, units_total, created_at, started_at, finished_at, seconds, error, legacy)
        SELECT e.id, 'evaluation', m.name || ' on ' || d.name, e.dataset_id,
               CASE e.status WHEN 'running' THEN 'interrupted' ELSE e.status END,
               0, NULL,
               json_object('executionProvider', e.requested_provider, 'threads', json_extract(e.params_json, '$.threads'), 'batchSize', NULL),
               'legacy-evaluation-' || e.id, NULL, e.tool_version,
               (SELECT COUNT(*) FROM images i WHERE i.dataset_id = e.dataset_id),
               e.started_at, e.started_at, e.finished_at, COALESCE(e.seconds, 0),
               CASE e.status WHEN 'running' THEN 'the evaluation was still running when Odra stopped' ELSE e.error END,
               1
        FROM evaluations e JOIN models m ON m.id = e.model_id JOIN datasets d ON d.id = e.dataset_id;
      INSERT INTO audit_models (audit_id, position, model_id, baseline, adapter_json, class_map_json,
                                execution_provider, requested_provider, provider_warning)
        SELECT e.id, 0, e.model_id, 1, COALESCE(json_extract(e.params_json, '$.adapter'), m.adapter_json),
               COALESCE(json_extract(e.params_json, '$.classMap'), '{}'),
               e.execution_provider, e.requested_provider, e.provider_warning
        FROM evaluations e JOIN models m ON m.id = e.model_id;
      INSERT INTO audit_conditions (audit_id, position, corruption, severity) SELECT id, 0, 'clean', 0 FROM evaluations;
      INSERT INTO audit_images (audit_id, position, image_id)
        SELECT e.id, ROW_NUMBER() OVER (PARTITION BY e.id ORDER BY i.id) - 1, i.id
        FROM evaluations e JOIN images i ON i.dataset_id = e.dataset_id;
      INSERT INTO audit_cells (audit_id, model_pos, condition_pos, units_done, stats_json, record, scored_at)
        SELECT e.id, 0, 0,
               CASE e.status WHEN 'done' THEN (SELECT COUNT(*) FROM images i WHERE i.dataset_id = e.dataset_id) ELSE 0 END,
               CASE e.status WHEN 'done'
                 THEN (SELECT json_group_object(metric, value) FROM metrics x WHERE x.evaluation_id = e.id AND x.category_id IS NULL)
               END,
               NULL,
               CASE e.status WHEN 'done' THEN COALESCE(e.finished_at, e.started_at) END
        FROM evaluations e;
      INSERT INTO audit_cell_categories (audit_id, model_pos, condition_pos, category_id, ap, ap50, num_gt, num_dets)
        SELECT x.evaluation_id, 0, 0, x.category_id,
               MAX(CASE x.metric WHEN 'AP' THEN x.value END), MAX(CASE x.metric WHEN 'AP50' THEN x.value END),
               COALESCE(MAX(CASE x.metric WHEN 'num_gt' THEN x.value END), 0), COALESCE(MAX(CASE x.metric WHEN 'num_dets' THEN x.value END), 0)
        FROM metrics x JOIN evaluations e ON e.id = x.evaluation_id
        WHERE x.category_id IS NOT NULL AND e.status = 'done'
        GROUP BY x.evaluation_id, x.category_id;
      -- detections of evaluations that were still running are partial and cannot be resumed: dropped
      INSERT INTO legacy_detections (audit_id, image_id, category_id, class_index, x, y, w, h, score)
        SELECT d.evaluation_id, d.image_id, d.category_id, d.class_index, d.x, d.y, d.w, d.h, d.score
        FROM detections d JOIN evaluations e ON e.id = d.evaluation_id WHERE e.status <> 'running' ORDER BY d.rowid;
      DROP TABLE detections;
      DROP TABLE metrics;
      DROP TABLE evaluations;
    `,
  },
  {
    version: 7,
    description: 'model tags (compression method and rate, training intervention, note) set by the user',
    sql: `
      -- NULL: not set by the user (the model page and audits use the suggestion)
      ALTER TABLE models ADD COLUMN tags_json TEXT;
    `,
  },
  {
    version: 8,
    description: 'audit shards: the shard a shard audit ran, the shards a merged audit holds',
    sql: `
      -- one row per audit that is a shard (shard_index set) or a merge of shards (shard_index NULL);
      -- audits run whole have none. plan_fingerprint is shared by every shard of one plan.
      CREATE TABLE audit_shards (
        audit_id INTEGER PRIMARY KEY REFERENCES audits(id) ON DELETE CASCADE,
        plan_fingerprint TEXT NOT NULL,
        shard_count INTEGER NOT NULL CHECK (shard_count >= 1),
        shard_index INTEGER CHECK (shard_index IS NULL OR (shard_index >= 0 AND shard_index < shard_count)),
        -- a merge: the shard indices whose units it holds (JSON array, ascending)
        merged_json TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX audit_shards_by_plan ON audit_shards(plan_fingerprint);
    `,
  },
  {
    version: 9,
    description: 'box-size and crowd filters of the dataset browser: annotations by size, stored image counts',
    sql: `
      -- the grid's box-size filter (non-crowd boxes with area in a COCO range) and crowd filter
      CREATE INDEX annotations_by_size ON annotations(dataset_id, iscrowd, area, category_id, image_id);
      -- images per box size and with crowd regions (schemas.ts BoxFacetsDto as JSON); NULL until computed
      ALTER TABLE datasets ADD COLUMN box_facets_json TEXT;
    `,
  },
];
