/**
 * Models in the store: the file's identity (SHA-256, size, path), what the graph
 * declares, and the adapter that turns its outputs into detections (auto-detected
 * at import, replaceable by the user).
 */
import type { Db } from '../store/database';
import { adapterConfigSchema, modelFingerprintSchema, type AdapterConfig, type ModelFingerprint } from '../../shared/adapter';
import { modelIOSchema, type ModelSummary } from '../../shared/schemas';
import { OdraError } from '../../shared/errors';
import { modelTagsSchema, suggestTags, type ModelTags } from '../../shared/model-tags';
import type { ModelIO } from './inspect-io';

interface ModelRow {
  id: number;
  name: string;
  path: string;
  sha256: string;
  file_size: number;
  io_json: string;
  adapter_json: string;
  adapter_source: 'auto' | 'user';
  detect_confidence: number;
  detect_reason: string;
  fingerprint_json: string | null;
  tags_json: string | null;
  created_at: string;
}

export interface NewModel {
  name: string;
  path: string;
  io: ModelIO;
  adapter: AdapterConfig;
  adapterSource: 'auto' | 'user';
  confidence: number;
  reason: string;
  fingerprint: ModelFingerprint;
}

export class ModelRepo {
  constructor(private readonly db: Db) {}

  findBySha(sha256: string): ModelSummary | null {
    const row = this.db.prepare('SELECT * FROM models WHERE sha256 = ?').get(sha256) as ModelRow | undefined;
    return row ? toSummary(row) : null;
  }

  insert(m: NewModel): ModelSummary {
    const { sha256, fileSize, ...io } = m.io;
    const res = this.db
      .prepare(
        `INSERT INTO models (name, path, sha256, file_size, io_json, adapter_json, adapter_source, detect_confidence, detect_reason, fingerprint_json, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.name,
        m.path,
        sha256,
        fileSize,
        JSON.stringify(io),
        JSON.stringify(m.adapter),
        m.adapterSource,
        m.confidence,
        m.reason,
        JSON.stringify(m.fingerprint),
        new Date().toISOString(),
      );
    return this.get(Number(res.lastInsertRowid));
  }

  list(): ModelSummary[] {
    return (this.db.prepare('SELECT * FROM models ORDER BY id').all() as ModelRow[]).map(toSummary);
  }

  get(id: number): ModelSummary {
    const row = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
    if (!row) throw new OdraError('NOT_FOUND', `no model with id ${id}`);
    return toSummary(row);
  }

  setAdapter(id: number, adapter: AdapterConfig): ModelSummary {
    this.get(id);
    this.db.prepare("UPDATE models SET adapter_json = ?, adapter_source = 'user' WHERE id = ?").run(JSON.stringify(adapter), id);
    return this.get(id);
  }

  rename(id: number, name: string): ModelSummary {
    this.get(id);
    this.db.prepare('UPDATE models SET name = ? WHERE id = ?').run(name, id);
    return this.get(id);
  }

  /** The model's file is now at `path` (the caller has checked it holds the same bytes). */
  setPath(id: number, path: string): ModelSummary {
    this.get(id);
    this.db.prepare('UPDATE models SET path = ? WHERE id = ?').run(path, id);
    return this.get(id);
  }

  /** The user's tags; null goes back to the suggestion. */
  setTags(id: number, tags: ModelTags | null): ModelSummary {
    this.get(id);
    this.db.prepare('UPDATE models SET tags_json = ? WHERE id = ?').run(tags === null ? null : JSON.stringify(modelTagsSchema.parse(tags)), id);
    return this.get(id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM models WHERE id = ?').run(id).changes > 0;
  }
}

function toSummary(r: ModelRow): ModelSummary {
  const io = modelIOSchema.parse(JSON.parse(r.io_json));
  const fingerprint = r.fingerprint_json ? modelFingerprintSchema.parse(JSON.parse(r.fingerprint_json)) : null;
  const tagSuggestion = suggestTags(fingerprint, io.metadata);
  const userTags = r.tags_json ? modelTagsSchema.parse(JSON.parse(r.tags_json)) : null;
  return {
    id: r.id,
    name: r.name,
    path: r.path,
    sha256: r.sha256,
    fileSize: r.file_size,
    io,
    adapter: adapterConfigSchema.parse(JSON.parse(r.adapter_json)),
    adapterSource: r.adapter_source,
    detectConfidence: r.detect_confidence,
    detectReason: r.detect_reason,
    fingerprint,
    tags: userTags ?? tagSuggestion.tags,
    tagsSource: userTags ? 'user' : 'suggested',
    tagSuggestion,
    createdAt: r.created_at,
  };
}
