import { describe, expect, it } from 'vitest';
import {
  candidateFromForm,
  checkAdapterForm,
  classNamesFromText,
  formFromAdapter,
  parseNumber,
} from '../../../../src/renderer/src/view-models/adapter-form';
import type { AdapterConfig } from '../../../../src/shared/adapter';

/** A YOLOX-style adapter as the engine detects it, plus fields this form does not edit. */
const yolox: AdapterConfig = {
  family: 'yolox',
  input: { name: 'images', width: 416, height: 416, layout: 'NCHW' },
  preprocessing: {
    resize: 'letterbox',
    align: 'top-left',
    padValue: 114,
    channelOrder: 'BGR',
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  },
  postprocessing: { scoreThreshold: 0.25, nmsIou: 0.45, classAware: true, maxDetections: 100 },
  strides: [8, 16, 32],
  outputs: { combined: 'output' },
  classNames: ['person', 'bicycle', 'car'],
};

describe('parseNumber', () => {
  it('reads plain numbers, exponents and fractions like 1/255', () => {
    expect(parseNumber('0.25')).toBe(0.25);
    expect(parseNumber(' 114 ')).toBe(114);
    expect(parseNumber('-3')).toBe(-3);
    expect(parseNumber('1e-3')).toBe(0.001);
    expect(parseNumber('1/255')).toBeCloseTo(1 / 255, 15);
    expect(parseNumber('1 / 255')).toBeCloseTo(1 / 255, 15);
    expect(parseNumber('0.5/2')).toBe(0.25);
  });

  it('turns blank and non-numeric text into NaN so the schema rejects the field', () => {
    expect(parseNumber('')).toBeNaN();
    expect(parseNumber('   ')).toBeNaN();
    expect(parseNumber('abc')).toBeNaN();
    expect(parseNumber('1/2/3')).toBeNaN();
  });
});

describe('classNamesFromText', () => {
  it('keeps one trimmed name per non-empty line, in order', () => {
    expect(classNamesFromText(' person \n\nbicycle\r\n  car\n')).toEqual(['person', 'bicycle', 'car']);
    expect(classNamesFromText('')).toEqual([]);
  });
});

describe('adapter form round trip', () => {
  it('gives back the same adapter when nothing is edited, fields it does not know included', () => {
    const checked = checkAdapterForm(formFromAdapter(yolox), yolox);
    expect(checked).toEqual({ ok: true, adapter: yolox });
  });

  it('applies edits, including a fraction scale and new strides', () => {
    const form = formFromAdapter(yolox);
    form.scale = '1/255';
    form.channelOrder = 'RGB';
    form.mean = ['0.485', '0.456', '0.406'];
    form.strides = '8, 16 32 64';
    form.classNames = 'car\ntruck';
    form.scoreThreshold = '0.4';
    const checked = checkAdapterForm(form, yolox);
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    expect(checked.adapter.preprocessing.scale).toBeCloseTo(1 / 255, 15);
    expect(checked.adapter.preprocessing.channelOrder).toBe('RGB');
    expect(checked.adapter.preprocessing.mean).toEqual([0.485, 0.456, 0.406]);
    expect(checked.adapter.strides).toEqual([8, 16, 32, 64]);
    expect(checked.adapter.classNames).toEqual(['car', 'truck']);
    expect(checked.adapter.postprocessing.scoreThreshold).toBe(0.4);
    expect(checked.adapter.outputs).toEqual({ combined: 'output' });
  });

  it('drops the strides when the field is emptied (the decoder default applies)', () => {
    const form = formFromAdapter(yolox);
    form.strides = '  ';
    const candidate = candidateFromForm(form, yolox) as Record<string, unknown>;
    expect('strides' in candidate).toBe(false);
    const checked = checkAdapterForm(form, yolox);
    expect(checked.ok && checked.adapter.strides).toBe(undefined);
  });

  it('names every invalid field by its path', () => {
    const form = formFromAdapter(yolox);
    form.scoreThreshold = '2';
    form.width = '';
    form.std = ['1', '0', '1'];
    form.classNames = '\n';
    const checked = checkAdapterForm(form, yolox);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    const text = checked.problems.map((p) => p.problem).join('\n');
    expect(text).toContain('postprocessing.scoreThreshold');
    expect(text).toContain('input.width');
    expect(text).toContain('preprocessing.std.1');
    expect(text).toContain('classNames');
    expect(checked.problems).toHaveLength(4);
  });
});
