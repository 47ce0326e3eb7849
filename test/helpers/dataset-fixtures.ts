/**
 * The sample dataset folders of test/fixtures/datasets, made whole in a temporary
 * copy: their `images.json` lists the images ([width, height]) and they are generated
 * here, deterministically (a gradient whose colours depend on the file name), as JPEG
 * or PNG by extension.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { expect } from 'vitest';
import type { OdraClient } from '../../src/shared/client';
import { OdraError } from '../../src/shared/errors';
import type { MethodInput } from '../../src/shared/contract';

export const FIXTURES = path.resolve(process.cwd(), 'test/fixtures/datasets');
export const MANIFEST = 'images.json';

export async function imageBytes(file: string, width: number, height: number): Promise<Buffer> {
  const seed = createHash('sha256').update(path.basename(file)).digest();
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (seed[0] + (x * 255) / width) & 255;
      data[i + 1] = (seed[1] + (y * 255) / height) & 255;
      data[i + 2] = seed[2] ^ ((x >> 3) + (y >> 3)) & 255;
    }
  }
  const img = sharp(data, { raw: { width, height, channels: 3 } });
  const ext = path.extname(file).toLowerCase();
  return ext === '.png' ? img.png().toBuffer() : img.jpeg({ quality: 90 }).toBuffer();
}

export async function writeImage(file: string, width: number, height: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, await imageBytes(file, width, height));
}

/** Copies the sample folder `name` to `target` and generates its images. */
export async function materialise(name: string, target: string): Promise<{ dir: string; images: Record<string, [number, number]> }> {
  const source = path.join(FIXTURES, name);
  await rm(target, { recursive: true, force: true });
  await cp(source, target, { recursive: true, filter: (src) => path.basename(src) !== MANIFEST });
  const images = JSON.parse(await readFile(path.join(source, MANIFEST), 'utf8')) as Record<string, [number, number]>;
  for (const [rel, [w, h]] of Object.entries(images)) await writeImage(path.join(target, rel), w, h);
  return { dir: target, images };
}

export async function importError(client: OdraClient, input: MethodInput<'datasets.import'>): Promise<OdraError> {
  const outcome = await client.call('datasets.import', input).then(
    (ds) => new Error(`import of ${input.dir} succeeded (dataset ${ds.id}) but must fail`),
    (err: unknown) => err,
  );
  if (!(outcome instanceof OdraError)) throw outcome;
  return outcome;
}

/** Expects a rejection with an OdraError and returns it. */
export async function rejection(promise: Promise<unknown>): Promise<OdraError> {
  const outcome = await promise.then(
    () => new Error('expected a failure'),
    (err: unknown) => err,
  );
  if (!(outcome instanceof OdraError)) throw outcome;
  return outcome;
}

export function expectBoxClose(actual: readonly number[], expected: readonly number[], digits = 6): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v, `coordinate ${i} of [${actual.join(', ')}]`).toBeCloseTo(expected[i], digits));
}

/** Rewrites line `line` (1-based) of a text file. */
export async function editLine(file: string, line: number, edit: (text: string) => string): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  if (line < 1 || line > lines.length) throw new Error(`test setup: ${file} has no line ${line}`);
  lines[line - 1] = edit(lines[line - 1]);
  await writeFile(file, lines.join('\n'));
}

export interface BrokenExpectation {
  /** the file the error must name */
  file: string;
  /** the line it must give, where the format has lines */
  line?: number;
  problem: RegExp;
}

export interface BrokenImport {
  name: string;
  /** sample folder the case starts from */
  fixture: string;
  /** extra import input (format, split) */
  input?: Omit<MethodInput<'datasets.import'>, 'dir'>;
  /** breaks the fresh copy in `dir`; says what the error must report */
  make(dir: string): Promise<BrokenExpectation>;
}
