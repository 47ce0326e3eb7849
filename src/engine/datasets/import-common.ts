/**
 * What every dataset importer shares: the options they take, reading files with errors
 * that name them, and checking images. Every importer reads and hashes its images
 * through `checkImages`, so a dataset's identity (the content hash) and its image
 * sizes do not depend on the format the annotations came in.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { badInput, type OdraError, type Problem } from '../../shared/errors';
import { IMAGE_EXTENSIONS } from '../images/decode';
import type { ImageScan } from '../images/scan-file';
import { scanImageFiles } from '../images/scan-pool';
import type { CanonicalImage } from './canonical';
import { locateJsonError } from './json-location';

export interface ImportProgress {
  (done: number, total: number, stage: string): void;
}

export interface ImportOptions {
  name?: string;
  /** which split of a multi-split dataset (YOLO data.yaml key, VOC ImageSets/Main file, BDD JSON) */
  split?: string;
  onProgress?: ImportProgress;
  signal?: AbortSignal;
}

/** An image an annotation file refers to, before it is checked. */
export interface ImageCandidate {
  id: number;
  /** relative to the image root, '/'-separated */
  fileName: string;
  /** the size the annotation file states; the decoded image must have it */
  stated?: { width: number; height: number; by: string };
  extra: Record<string, unknown>;
}

/**
 * Checks one image's scan (images/scan-file.ts) against what the annotation file says
 * of it. A problem is returned, not thrown, so a dataset's bad images are all reported
 * together.
 */
export function checkImage(imageRoot: string, im: ImageCandidate, scan: ImageScan): { image: CanonicalImage } | { problem: Problem } {
  const file = path.join(imageRoot, im.fileName);
  if (!scan.ok) {
    const problem =
      scan.kind === 'missing'
        ? `image ${im.id} is missing (${scan.reason})`
        : scan.kind === 'unreadable'
          ? `image ${im.id} cannot be read: ${scan.reason}`
          : `image ${im.id} cannot be decoded: ${scan.reason}`;
    return { problem: { file, problem } };
  }
  const { stated } = im;
  if (stated && (scan.width !== stated.width || scan.height !== stated.height)) {
    return {
      problem: { file, problem: `image ${im.id} is ${scan.width}x${scan.height} but ${stated.by} says ${stated.width}x${stated.height}` },
    };
  }
  return { image: { id: im.id, fileName: im.fileName, width: scan.width, height: scan.height, sha256: scan.sha256, extra: im.extra } };
}

/**
 * Reads every image once, in parallel worker threads (images/scan-pool.ts): content
 * hash and header size from the same bytes, no pixel decoding for JPEG, PNG and WebP.
 */
export async function checkImages(
  root: string,
  imageRoot: string,
  candidates: readonly ImageCandidate[],
  options: Pick<ImportOptions, 'onProgress' | 'signal'>,
): Promise<CanonicalImage[]> {
  const scans = await scanImageFiles(
    candidates.map((im) => path.join(imageRoot, im.fileName)),
    { signal: options.signal, onProgress: (done) => options.onProgress?.(done, candidates.length, 'checking images') },
  );
  const images: CanonicalImage[] = [];
  const problems: Problem[] = [];
  candidates.forEach((im, i) => {
    const result = checkImage(imageRoot, im, scans[i]);
    if ('problem' in result) problems.push(result.problem);
    else images.push(result.image);
  });
  if (problems.length) {
    throw badInput(`${problems.length} image(s) of ${root} cannot be used`, sortProblems(problems), imageRoot);
  }
  return images.sort((a, b) => a.id - b.id);
}

/** One error for all problems found; `details.file` is the one file they share, if they do. */
export function problemsError(message: string, problems: Problem[], fallbackFile: string): OdraError {
  const files = new Set(problems.map((p) => p.file));
  const file = files.size === 1 ? [...files][0] : undefined;
  return badInput(message, sortProblems(problems), file ?? fallbackFile);
}

/** By file, then line: problems found concurrently are reported in a reproducible order. */
export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => compareNames(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0));
}

export async function readJson(file: string): Promise<unknown> {
  const text = await readText(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 gives no position for some errors and quotes the text with raw line breaks.
    const at = locateJsonError(text);
    if (!at) {
      const message = (err as Error).message.split('\n')[0];
      throw badInput(`${file} is not valid JSON: ${message}`, [{ file, problem: message }], file);
    }
    const problem = `${at.reason} (column ${at.column})`;
    throw badInput(`${file} is not valid JSON (line ${at.line}, column ${at.column}): ${at.reason}`, [{ file, line: at.line, problem }], file);
  }
}

/** A text file, without the byte-order mark Windows editors may write. */
export async function readText(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw badInput(`cannot read ${file}: ${(err as Error).message}`, [{ file, problem: 'cannot be read' }], file);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Lines of a text file (LF or CRLF), numbered from 1. */
export function textLines(text: string): { line: number; text: string }[] {
  return text.split(/\r?\n/).map((t, i) => ({ line: i + 1, text: t }));
}

/** A decimal number as label files write it; `Number()` would also take '0x1f', '' or 'Infinity'. */
export function parseDecimal(token: string): number | null {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(token) ? Number(token) : null;
}

export async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null))?.isFile() ?? false;
}

export async function isDirectory(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => null))?.isDirectory() ?? false;
}

export async function requireFile(file: string, hint: string): Promise<void> {
  if (!(await isFile(file))) throw badInput(`${file} not found: ${hint}`, [{ file, problem: 'not found' }], file);
}

export async function requireDirectory(dir: string, what: string): Promise<void> {
  if (!(await isDirectory(dir))) throw badInput(`${dir} is not a folder (${what})`, [{ file: dir, problem: 'not a folder' }], dir);
}

export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

export function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}

/**
 * Files below `dir` (following symlinks), as '/'-separated paths relative to it, sorted.
 * Hidden entries (.DS_Store, .git) are skipped.
 */
export async function listFiles(dir: string, options: { recursive: boolean; filter?: (name: string) => boolean }): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    const entries = await readdir(path.join(dir, sub), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const rel = sub ? `${sub}/${e.name}` : e.name;
      let kind: 'file' | 'dir' | null = e.isFile() ? 'file' : e.isDirectory() ? 'dir' : null;
      if (e.isSymbolicLink()) {
        const s = await stat(path.join(dir, rel)).catch(() => null);
        kind = s?.isFile() ? 'file' : s?.isDirectory() ? 'dir' : null;
      }
      if (kind === 'file' && (!options.filter || options.filter(e.name))) out.push(rel);
      else if (kind === 'dir' && options.recursive) await walk(rel);
    }
  };
  await walk('');
  return out.sort(compareNames);
}

/** Code-point order, so ids do not depend on the machine's locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Runs a pass written as a generator that yields between slices, in one go. */
export function drainSync<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs the same pass giving the event loop a turn at each yield, so a request that
 * arrives during a long import waits for one slice at most.
 */
export async function drainAsync<T>(steps: Generator<void, T>, signal?: AbortSignal): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await yieldToEventLoop();
    signal?.throwIfAborted();
  }
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

/** A value from a parsed file as a short quotation for a message. */
export function quote(value: unknown): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
