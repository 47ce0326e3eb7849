/**
 * Odra's malformed-input corpus: one entry per input that Odra must refuse, with the
 * command that reads it, the file its message must name and what it must say, in words.
 * test/integration/cli/malformed-inputs.test.ts runs every entry through the real `odra`
 * command and checks: exit 2, one `odra: ` message naming the file, no stack trace,
 * nothing on stdout, and (where the command has a store) the store unchanged.
 *
 * Small inputs are files in test/fixtures/malformed/ (see its README); large or binary
 * ones are made here by the entry itself. A new format or input kind joins the corpus
 * with an entry here.
 *
 * Every entry gets its own folder `dir` and the shared context: a store that already
 * holds `goodDataset` (so an `eval` whose model is refused changes nothing), the good
 * dataset's folder and a good model file.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { BROKEN_MODELS } from './broken-models';
import { annotationsFile, imageFile, makeGoodDataset, readCocoJson, writeCocoJson } from './broken-datasets';
import { materialise } from './dataset-fixtures';
import { sharedPath } from './shared';

export const MALFORMED_FIXTURES = path.resolve(process.cwd(), 'test/fixtures/malformed');

export interface CorpusContext {
  /** a store holding goodDataset; entries that use it must leave it unchanged */
  store: string;
  goodDataset: string;
  goodModel: string;
}

export interface CorpusRun {
  /** odra's arguments */
  args: string[];
  /** the path the message must name */
  file: string;
  /** what the message must say about it */
  problem: RegExp;
  /** true when `args` use ctx.store (its tables are compared before and after) */
  usesStore?: boolean;
}

export interface MalformedInput {
  name: string;
  make(dir: string, ctx: CorpusContext): Promise<CorpusRun>;
}

const fixture = (name: string): string => path.join(MALFORMED_FIXTURES, name);

/** odra eval on the context's store, with the good model unless given. */
function evalArgs(ctx: CorpusContext, o: { model?: string; dataset?: string; extra?: string[] }): string[] {
  return ['eval', '--model', o.model ?? ctx.goodModel, '--dataset', o.dataset ?? ctx.goodDataset, '--db', ctx.store, ...(o.extra ?? [])];
}

async function mkfifo(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  execFileSync('mkfifo', [file]);
  return file;
}

// ---- PNG whose header declares a size, without the pixels -------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG (8-bit RGB) declaring width x height in its header, with one row of pixel data. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- the corpus -------------------------------------------------------------------------

const modelEntries: MalformedInput[] = [
  ...BROKEN_MODELS.map(
    (m): MalformedInput => ({
      name: `model: ${m.name}`,
      async make(dir, ctx) {
        const file = path.join(dir, 'model.onnx');
        await writeFile(file, m.bytes());
        return { args: evalArgs(ctx, { model: file }), file, problem: m.problem, usesStore: true };
      },
    }),
  ),
  {
    name: 'model: a text file with the .onnx extension',
    make: async (_dir, ctx) => ({
      args: evalArgs(ctx, { model: fixture('readme-saved-as.onnx') }),
      file: fixture('readme-saved-as.onnx'),
      problem: /is not an ONNX model \(it is a text file\)/,
      usesStore: true,
    }),
  },
  {
    name: 'model: a folder',
    make: async (dir, ctx) => ({ args: evalArgs(ctx, { model: dir }), file: dir, problem: /is a folder, not an ONNX model file/, usesStore: true }),
  },
  {
    name: 'model: a FIFO',
    async make(dir, ctx) {
      const file = await mkfifo(path.join(dir, 'model.onnx'));
      return { args: evalArgs(ctx, { model: file }), file, problem: /is a FIFO \(named pipe\), not a regular file/, usesStore: true };
    },
  },
  {
    name: 'names: a list one name short of the model',
    async make(dir, ctx) {
      const file = path.join(dir, 'coco.names');
      await writeFile(file, `${Array.from({ length: 79 }, (_, i) => `class${i}`).join('\n')}\n`);
      return {
        args: evalArgs(ctx, { extra: ['--names', file] }),
        file,
        problem: /the names list has 79 names but the model has 80 classes/,
        usesStore: true,
      };
    },
  },
  {
    name: 'names: a missing file',
    async make(dir, ctx) {
      const file = path.join(dir, 'no-such.names');
      return { args: evalArgs(ctx, { extra: ['--names', file] }), file, problem: /does not exist \(the class names file\)/, usesStore: true };
    },
  },
  {
    name: 'names: a YAML alias bomb',
    make: async (_dir, ctx) => ({
      args: evalArgs(ctx, { extra: ['--names', fixture('names-alias-bomb.yaml')] }),
      file: fixture('names-alias-bomb.yaml'),
      problem: /expands to more than 100,000 values through its aliases .*ODRA_MAX_YAML_NODES/,
      usesStore: true,
    }),
  },
  {
    name: 'names: JSON nested 200,000 deep',
    async make(dir, ctx) {
      const file = path.join(dir, 'names.json');
      await writeFile(file, `${'['.repeat(200_000)}${']'.repeat(200_000)}`);
      return { args: evalArgs(ctx, { extra: ['--names', file] }), file, problem: /nests deeper than 1000 levels/, usesStore: true };
    },
  },
];

/** A one-image COCO dataset in `dir` (the first annotated image of the shared val set), edited by `edit`. */
async function cocoCase(dir: string, edit: (ds: string) => Promise<{ file: string; problem: RegExp }>, ctx: CorpusContext, extra: string[] = []): Promise<CorpusRun> {
  const ds = path.join(dir, 'dataset');
  await makeGoodDataset(ds, 1);
  const { file, problem } = await edit(ds);
  return { args: evalArgs(ctx, { dataset: ds, extra }), file, problem, usesStore: true };
}

const datasetEntries: MalformedInput[] = [
  {
    name: 'dataset: COCO with "images": []',
    make: (dir, ctx) =>
      cocoCase(
        dir,
        async (ds) => {
          await writeCocoJson(ds, { images: [], annotations: [], categories: [{ id: 1, name: 'car' }] });
          return { file: ds, problem: /holds no images: there is nothing to evaluate/ };
        },
        ctx,
      ),
  },
  {
    name: 'dataset: COCO info nested 200,000 deep',
    make: (dir, ctx) =>
      cocoCase(
        dir,
        async (ds) => {
          const json = await readCocoJson(annotationsFile(ds));
          const text = JSON.stringify({ ...json, info: null }).replace('"info":null', `"info":${'['.repeat(200_000)}${']'.repeat(200_000)}`);
          await writeFile(annotationsFile(ds), text);
          return { file: annotationsFile(ds), problem: /nests deeper than 1000 levels \(line 1\).*ODRA_MAX_JSON_DEPTH/ };
        },
        ctx,
      ),
  },
  {
    name: 'dataset: an image of 16,000 x 16,000 pixels',
    make: (dir, ctx) =>
      cocoCase(
        dir,
        async (ds) => {
          const json = await readCocoJson(annotationsFile(ds));
          const im = json.images[0];
          const file = imageFile(ds, im.file_name.replace(/\.\w+$/, '.png'));
          await writeFile(file, pngHeaderOnly(16_000, 16_000));
          await writeCocoJson(ds, { ...json, images: [{ ...im, file_name: path.basename(file), width: 16_000, height: 16_000 }] });
          return { file, problem: /the image is 16000x16000 \(256\.0 megapixels\); Odra decodes images of at most 100,000,000 .*ODRA_MAX_IMAGE_PIXELS/ };
        },
        ctx,
      ),
  },
  {
    name: 'dataset: a BMP image',
    make: (dir, ctx) =>
      cocoCase(
        dir,
        async (ds) => {
          const json = await readCocoJson(annotationsFile(ds));
          const file = imageFile(ds, 'tiny.bmp');
          await copyFile(fixture('tiny.bmp'), file);
          await writeCocoJson(ds, { ...json, images: [...json.images, { id: 999_999, file_name: 'tiny.bmp', width: 2, height: 2 }] });
          return { file, problem: /image 999999 is a \.bmp file; Odra reads \.jpg \.jpeg \.png \.webp \.tif \.tiff images/ };
        },
        ctx,
      ),
  },
  {
    name: 'dataset: an image that is a FIFO',
    make: (dir, ctx) =>
      cocoCase(
        dir,
        async (ds) => {
          const json = await readCocoJson(annotationsFile(ds));
          const file = imageFile(ds, json.images[0].file_name);
          await rm(file);
          await mkfifo(file);
          return { file, problem: /cannot be read: it is a FIFO \(named pipe\), not a regular file/ };
        },
        ctx,
      ),
  },
  {
    name: 'dataset: an image linking outside its folder',
    make: (dir, ctx) =>
      cocoCase(
        dir,
        async (ds) => {
          const json = await readCocoJson(annotationsFile(ds));
          const file = imageFile(ds, json.images[0].file_name);
          const outside = path.join(dir, 'elsewhere.jpg');
          await copyFile(file, outside);
          await rm(file);
          await symlink(outside, file);
          return { file, problem: /is a link to .*elsewhere\.jpg, outside the image folder .*: Odra reads and shows only images inside it/ };
        },
        ctx,
      ),
  },
  {
    name: 'dataset: a YOLO label path that is a folder',
    async make(dir, ctx) {
      const { dir: ds } = await materialise('yolo', path.join(dir, 'yolo'));
      const file = path.join(ds, 'labels', 'val', 'frame_0001.txt');
      await rm(file);
      await mkdir(file);
      return { args: evalArgs(ctx, { dataset: ds }), file, problem: /the label file of .*frame_0001\.\w+ is a folder, not a file/, usesStore: true };
    },
  },
  {
    name: 'dataset: a YOLO label path that is a FIFO',
    async make(dir, ctx) {
      const { dir: ds } = await materialise('yolo', path.join(dir, 'yolo'));
      const file = path.join(ds, 'labels', 'val', 'frame_0001.txt');
      await rm(file);
      await mkfifo(file);
      return { args: evalArgs(ctx, { dataset: ds }), file, problem: /the label file of .*frame_0001\.\w+ is a FIFO \(named pipe\)/, usesStore: true };
    },
  },
  {
    name: 'dataset: a YOLO folder without any label file',
    async make(dir, ctx) {
      const { dir: ds } = await materialise('yolo', path.join(dir, 'yolo'));
      await rm(path.join(ds, 'labels'), { recursive: true });
      return { args: evalArgs(ctx, { dataset: ds }), file: ds, problem: /has \d+ image\(s\) but not one box: are its label files missing or empty\?/, usesStore: true };
    },
  },
  {
    name: 'dataset: a YOLO data.yaml alias bomb',
    async make(dir, ctx) {
      const { dir: ds } = await materialise('yolo', path.join(dir, 'yolo'));
      const file = path.join(ds, 'data.yaml');
      await copyFile(fixture('names-alias-bomb.yaml'), file);
      return { args: evalArgs(ctx, { dataset: ds }), file, problem: /expands to more than 100,000 values through its aliases/, usesStore: true };
    },
  },
  {
    name: 'dataset: --split that climbs out of the dataset',
    async make(dir, ctx) {
      const { dir: ds } = await materialise('voc', path.join(dir, 'voc'));
      return { args: evalArgs(ctx, { dataset: ds, extra: ['--split', '../../../../etc/passwd'] }), file: ds, problem: /split "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" is not a split name/, usesStore: true };
    },
  },
];

const storeAndOutputEntries: MalformedInput[] = [
  {
    name: 'store: --db names a folder',
    make: async (dir, ctx) => ({ args: evalArgs({ ...ctx, store: dir }, {}), file: dir, problem: /the store .* cannot be used: it is a folder; give a file name inside it/ }),
  },
  {
    name: 'store: --db names a text file',
    async make(dir, ctx) {
      // written per run, never a checked-in file: a store path that SQLite did open would be changed by the run
      const file = path.join(dir, 'spreadsheet-saved-as.db');
      await writeFile(file, 'name,ap\nyolox_nano,0.29\nnanodet_m,0.31\n');
      return { args: evalArgs({ ...ctx, store: file }, {}), file, problem: /cannot be used: it is not an Odra store \(not an SQLite database\)/ };
    },
  },
  {
    name: 'store: --db in a missing folder',
    async make(dir, ctx) {
      const file = path.join(dir, 'no-such-folder', 'odra.db');
      return { args: evalArgs({ ...ctx, store: file }, {}), file, problem: /cannot be used: its folder .*no-such-folder does not exist/ };
    },
  },
  {
    name: 'output: --dt-out in a missing folder (refused before the run)',
    async make(dir, ctx) {
      const file = path.join(dir, 'missing', 'dt.json');
      return { args: evalArgs(ctx, { extra: ['--dt-out', file] }), file: path.join(dir, 'missing'), problem: /^odra: --dt-out .*: its folder .* does not exist/m, usesStore: true };
    },
  },
  {
    name: 'output: corrupt --output in a missing folder',
    async make(dir, ctx) {
      const file = path.join(dir, 'missing', 'out.png');
      const input = imageFile(ctx.goodDataset, (await readCocoJson(annotationsFile(ctx.goodDataset))).images[0].file_name);
      return { args: ['corrupt', '--input', input, '--corruption', 'fog', '--severity', '2', '--output', file], file: path.join(dir, 'missing'), problem: /--output .*: its folder .* does not exist/ };
    },
  },
  {
    name: 'output: corrupt --output with an extension it does not write',
    async make(dir, ctx) {
      const file = path.join(dir, 'out.gif');
      const input = imageFile(ctx.goodDataset, (await readCocoJson(annotationsFile(ctx.goodDataset))).images[0].file_name);
      return { args: ['corrupt', '--input', input, '--corruption', 'fog', '--severity', '2', '--output', file], file, problem: /odra corrupt writes \.png, \.jpg, \.jpeg, \.webp files/ };
    },
  },
  {
    name: 'input: corrupt --input a FIFO',
    async make(dir) {
      const file = await mkfifo(path.join(dir, 'frame.png'));
      return { args: ['corrupt', '--input', file, '--corruption', 'fog', '--severity', '2', '--output', path.join(dir, 'o.png')], file, problem: /the image is a FIFO \(named pipe\), not a regular file/ };
    },
  },
  {
    name: 'cocoeval: a ground-truth annotation without area blames --gt',
    async make(dir, ctx) {
      const json = await readCocoJson(annotationsFile(ctx.goodDataset));
      const gt = path.join(dir, 'gt.json');
      const { area: _area, ...first } = json.annotations[0];
      await writeFile(gt, JSON.stringify({ ...json, annotations: [first, ...json.annotations.slice(1)] }));
      const dt = path.join(dir, 'dt.json');
      await writeFile(dt, JSON.stringify([{ image_id: json.images[0].id, category_id: first.category_id, bbox: [1, 1, 5, 5], score: 0.5 }]));
      return { args: ['cocoeval', '--gt', gt, '--dt', dt], file: gt, problem: /is not a usable COCO ground-truth file: GT annotation 0 .*: area is not a finite number/ };
    },
  },
  {
    name: 'serve: --port given as an empty string',
    make: async () => ({ args: ['serve', '--port', ''], file: '--port', problem: /--port must be a number from 0 to 65535 \(0: any free port\); got ""/ }),
  },
];

export const MALFORMED_INPUTS: readonly MalformedInput[] = [...modelEntries, ...datasetEntries, ...storeAndOutputEntries];

/** The context every entry shares: a store holding a one-image dataset, and the shared YOLOX-Nano. */
export async function makeCorpusContext(root: string, importInto: (store: string, dataset: string) => Promise<void>): Promise<CorpusContext> {
  const goodDataset = path.join(root, 'good-dataset');
  await makeGoodDataset(goodDataset, 1);
  const store = path.join(root, 'store.db');
  await importInto(store, goodDataset);
  return { store, goodDataset, goodModel: sharedPath('data', 'models', 'yolox_nano', 'yolox_nano.onnx') };
}
