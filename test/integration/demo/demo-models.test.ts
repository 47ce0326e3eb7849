/**
 * The committed demo detector family (resources/demo/models): every file is an ONNX model
 * Odra's existing yolov8 adapter recognises with the demo's class names, carries the
 * compression tags Odra reads, has the compression fingerprint its tags claim, matches the
 * SHA-256 that MODELS.md documents, and detects objects in freshly generated demo scenes
 * when run through `odra eval` (the quantized model included).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CATEGORIES, generateDemoDataset } from '../../../src/engine/demo/generate';
import { detectAdapter } from '../../../src/engine/models/detect-adapter';
import { inspectModelFile } from '../../../src/engine/models/fingerprint/model-fingerprint';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { ensureCliBuilt, runOdra } from '../../helpers/odra-cli';

const DIR = path.resolve('resources/demo/models');
const NAMES = [
  'baseline',
  'unstructured70',
  'unstructured70-aug',
  'unstructured70-rfs',
  'structured50',
  'structured50-aug',
  'structured50-rfs',
  'int8',
] as const;
const file = (name: string): string => path.join(DIR, `odra-demo-det-${name}.onnx`);

const METHODS = ['none', 'unstructured_pruning', 'structured_pruning', 'quantization', 'fp16', 'distillation', 'other'];
const UNITS = ['sparsity_percent', 'kept_channels_percent', 'bits'];
const TRAINING = ['baseline', 'augmentation', 'imbalance', 'other'];

describe('the committed demo detector family', () => {
  it('holds exactly the eight documented models, within 15 MB together, each with the SHA-256 MODELS.md states', async () => {
    const onnx = readdirSync(DIR).filter((f) => f.endsWith('.onnx')).sort();
    expect(onnx).toEqual(NAMES.map((n) => path.basename(file(n))).sort());
    const total = onnx.reduce((s, f) => s + statSync(path.join(DIR, f)).size, 0);
    expect(total).toBeLessThanOrEqual(15 * 1024 * 1024);
    const doc = readFileSync(path.join(DIR, 'MODELS.md'), 'utf8');
    for (const name of NAMES) {
      const { fingerprint } = await inspectModelFile(file(name));
      expect(doc, name).toContain(`| ${path.basename(file(name))} | ${fingerprint.sha256} |`);
    }
  });

  it.each(NAMES)('%s: yolov8 adapter, demo class names, tags and a fingerprint that fit', async (name) => {
    const { fingerprint, io } = await inspectModelFile(file(name));
    const adapter = detectAdapter(io);
    expect(adapter.config.family).toBe('yolov8');
    expect(adapter.confidence).toBeGreaterThanOrEqual(0.8);
    expect([adapter.config.input.width, adapter.config.input.height]).toEqual([320, 192]);
    expect(adapter.config.classNames).toEqual(DEMO_CATEGORIES.map((c) => c.name));
    const m = io.metadata;
    expect(m['odra.family']).toBe('odra-demo-det');
    expect(METHODS).toContain(m['odra.compression.method']);
    expect(UNITS).toContain(m['odra.compression.rate_unit']);
    expect(TRAINING).toContain(m['odra.training']);
    expect(Number.isFinite(Number(m['odra.compression.rate']))).toBe(true);
    expect((m['odra.note'] ?? '').length).toBeGreaterThan(20);
    const expectedTraining = name.endsWith('-aug') ? 'augmentation' : name.endsWith('-rfs') ? 'imbalance' : 'baseline';
    expect(m['odra.training']).toBe(expectedTraining);
    if (name === 'baseline') {
      expect(m['odra.compression.method']).toBe('none');
      expect(fingerprint.weights.zeroShare).toBeLessThan(0.02);
    } else if (name.startsWith('unstructured')) {
      expect(m['odra.compression.method']).toBe('unstructured_pruning');
      expect(fingerprint.weights.zeroShare).toBeGreaterThan(0.65);
      expect(fingerprint.weights.zeroShare).toBeLessThan(0.72);
      // the tag counts the pruned conv weights, the fingerprint every initializer (biases, which stay dense, too)
      const rate = Number(m['odra.compression.rate']);
      expect(100 * fingerprint.weights.zeroShare).toBeLessThanOrEqual(rate);
      expect(rate - 100 * fingerprint.weights.zeroShare).toBeLessThan(2.5);
    } else if (name.startsWith('structured')) {
      expect(m['odra.compression.method']).toBe('structured_pruning');
      expect(Number(m['odra.compression.rate'])).toBeGreaterThan(45);
      expect(Number(m['odra.compression.rate'])).toBeLessThan(55);
      const base = await inspectModelFile(file('baseline'));
      expect(fingerprint.parameterCount).toBeLessThan(0.4 * base.fingerprint.parameterCount);
    } else {
      expect(m['odra.compression.method']).toBe('quantization');
      expect(m['odra.compression.rate']).toBe('8');
      expect(fingerprint.quantization.schemes).toContain('qdq');
      expect(fingerprint.precision.int8?.elements ?? 0).toBeGreaterThan(0.9 * fingerprint.parameterCount);
    }
  });

  describe('on freshly generated scenes (seed 77, not a training seed)', () => {
    let temp: string;
    let dataset: string;
    beforeAll(async () => {
      await ensureCliBuilt();
      temp = await makeTempDir('demo-models');
      dataset = path.join(temp, 'scenes');
      await generateDemoDataset({ out: dataset, images: 24, seed: 77 });
    });
    afterAll(async () => {
      await removeDir(temp);
    });

    it('the baseline and its int8 quantization detect cars through odra eval, the int8 model close to the baseline', async () => {
      const ap: Record<string, { AP50: number; car: number }> = {};
      for (const name of ['baseline', 'int8']) {
        const run = await runOdra(['eval', '--model', file(name), '--dataset', dataset, '--threads', '2', '--json'], { timeoutMs: 300_000 });
        expect(run.code, run.stderr).toBe(0);
        const out = JSON.parse(run.stdout.trim().split('\n').pop() as string) as {
          stats: { AP50: number };
          per_category: { name: string; AP50: number | null }[];
          model: { adapter: string };
        };
        expect(out.model.adapter).toBe('yolov8');
        ap[name] = { AP50: out.stats.AP50, car: out.per_category.find((c) => c.name === 'car')?.AP50 ?? 0 };
      }
      expect(ap.baseline.car).toBeGreaterThan(0.5);
      expect(ap.baseline.AP50).toBeGreaterThan(0.3);
      expect(Math.abs(ap.int8.AP50 - ap.baseline.AP50)).toBeLessThan(0.1);
    });
  });
});
