/**
 * The two files of `odra cocoeval`, read as streams (json-stream.ts), so neither has a
 * size limit: a COCO ground-truth file (its images, annotations and categories lists)
 * and a COCO results list ([{image_id, category_id, bbox, score}, ...]).
 *
 * Ground truth: the three lists' entries as parsed (an annotation's segmentation is
 * dropped on arrival: bbox evaluation never reads it). A file without the three lists
 * is refused with the message `odra cocoeval` always gave.
 *
 * Results: each entry is checked as it arrives, with a plain test equal to
 * cocoResultsSchema (coco-schema.ts); an entry that fails it is run through the schema
 * itself, so the problems read as they always did ("entry 12.bbox: ..."), the first 20
 * of them. Valid entries go straight into typed columns (cocoeval/detection-columns.ts).
 */
import { badInput, type Problem } from '../../shared/errors';
import type { CocoGroundTruth } from '../cocoeval/cocoeval';
import { DetectionColumns } from '../cocoeval/detection-columns';
import { cocoResultSchema, cocoResultsSchema } from './coco-schema';
import { streamJsonFile, type JsonShape, type StreamOptions } from './json-stream';

const MAX_PROBLEMS = 20;

export async function streamCocoGroundTruth(file: string, options: StreamOptions = {}): Promise<CocoGroundTruth> {
  const lists: Record<string, unknown[]> = { images: [], annotations: [], categories: [] };
  const shape = await streamJsonFile(
    file,
    { arrays: ['images', 'annotations', 'categories'] },
    (key, _index, value) => {
      if (key === 'annotations' && typeof value === 'object' && value !== null) delete (value as { segmentation?: unknown }).segmentation;
      if (key !== null) lists[key].push(value);
    },
    options,
  );
  const ok = shape.root === 'object' && ['images', 'annotations', 'categories'].every((k) => shape.members.get(k) === 'array');
  if (!ok) throw badInput(`${file} is not a COCO ground-truth file (needs images, annotations, categories)`, [], file);
  return lists as unknown as CocoGroundTruth;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** The detections of a results file in columns; throws the schema's problems, naming the file. */
export async function streamCocoResults(file: string, options: StreamOptions = {}): Promise<DetectionColumns> {
  const columns = new DetectionColumns();
  const problems: Problem[] = [];
  const shape: JsonShape = await streamJsonFile(
    file,
    { rootArray: true },
    (_key, index, raw) => {
      const d = raw as { image_id?: unknown; category_id?: unknown; bbox?: unknown; score?: unknown } | null;
      const bbox = d?.bbox;
      if (
        typeof d === 'object' && d !== null && !Array.isArray(d) &&
        isInt(d.image_id) && isInt(d.category_id) && isFiniteNumber(d.score) &&
        Array.isArray(bbox) && bbox.length === 4 && bbox.every(isFiniteNumber)
      ) {
        columns.push(d.image_id, d.category_id, bbox[0], bbox[1], bbox[2], bbox[3], d.score);
        return;
      }
      if (problems.length >= MAX_PROBLEMS) return;
      const checked = cocoResultSchema.safeParse(raw);
      if (checked.success) throw new Error(`internal: detection ${index} passes the schema but not the plain check`);
      for (const issue of checked.error.issues) {
        if (problems.length < MAX_PROBLEMS) problems.push({ file, problem: `entry ${[index, ...issue.path].join('.')}: ${issue.message}` });
      }
    },
    options,
  );
  if (shape.root !== 'array') {
    // the schema's own words for a file that is not a list at all
    const standIn = shape.root === 'object' ? {} : shape.root === 'string' ? '' : shape.root === 'number' ? 0 : shape.root === 'boolean' ? false : null;
    const parsed = cocoResultsSchema.safeParse(standIn);
    if (!parsed.success) {
      for (const issue of parsed.error.issues.slice(0, MAX_PROBLEMS)) problems.push({ file, problem: `entry ${issue.path.join('.')}: ${issue.message}` });
    }
  }
  if (problems.length) throw badInput(`${file} is not a COCO results list ([{image_id, category_id, bbox, score}, ...])`, problems, file);
  return columns;
}
