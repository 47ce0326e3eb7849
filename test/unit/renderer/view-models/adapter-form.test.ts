import { describe, expect, it } from 'vitest';
import {
  ADAPTER_FIELD_LABELS,
  ADAPTER_FIELDS,
  candidateFromForm,
  checkAdapterForm,
  classNamesFromText,
  fieldForPath,
  formFromAdapter,
  parseNumber,
  type AdapterField,
  type AdapterForm,
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

  it('names every invalid field by its label, in words, once per field', () => {
    const form = formFromAdapter(yolox);
    form.scoreThreshold = '2';
    form.width = '';
    form.std = ['1', '0', '1'];
    form.classNames = '\n';
    const checked = checkAdapterForm(form, yolox);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.fieldErrors).toEqual({
      scoreThreshold: 'Score threshold must be at most 1 (got 2).',
      width: 'Input width must be a whole number (it is empty).',
      'std.1': 'Std, channel 2 must be greater than 0 (got 0).',
      classNames: "Class names must list at least one name, one per line, in the model's class index order.",
    });
    expect(checked.problems.map((p) => p.problem)).toEqual(Object.values(checked.fieldErrors));
    expect(checked.problems.map((p) => p.problem).join('\n')).not.toMatch(/postprocessing|input\.|preprocessing/);
  });
});

/** One bad value per field, as a user could type or pick it, and the words its error must hold. */
const BAD: Record<AdapterField, { set: (f: AdapterForm) => void; says: RegExp }> = {
  family: { set: (f) => Object.assign(f, { family: 'yolo-nas' }), says: /^Family must be one of yolox, nanodet, .*nms-in-graph \(got yolo-nas\)\.$/ },
  inputName: { set: (f) => (f.inputName = '  '), says: /^Input tensor must not be empty: enter the name/ },
  width: { set: (f) => (f.width = '416.5'), says: /^Input width must be a whole number \(got 416\.5\)\.$/ },
  height: { set: (f) => (f.height = '0'), says: /^Input height must be a whole number greater than 0 \(got 0\)\.$/ },
  strides: { set: (f) => (f.strides = '8, x, 32'), says: /^Strides must be whole numbers greater than 0, separated by commas, e\.g\. 8, 16, 32 \(got "8, x, 32"\); leave it empty/ },
  resize: { set: (f) => Object.assign(f, { resize: 'crop' }), says: /^Resize must be one of letterbox, stretch \(got crop\)\.$/ },
  align: { set: (f) => Object.assign(f, { align: 'bottom' }), says: /^Align must be one of top-left, center \(got bottom\)\.$/ },
  padValue: { set: (f) => (f.padValue = '300'), says: /^Pad value must be at most 255 \(got 300\)\.$/ },
  channelOrder: { set: (f) => Object.assign(f, { channelOrder: 'GBR' }), says: /^Channel order must be one of RGB, BGR \(got GBR\)\.$/ },
  scale: { set: (f) => (f.scale = '-1/255'), says: /^Scale must be greater than 0 \(got "-1\/255"\)\.$/ },
  'mean.0': { set: (f) => (f.mean[0] = 'abc'), says: /^Mean, channel 1 must be a number \(got "abc"\)\.$/ },
  'mean.1': { set: (f) => (f.mean[1] = ''), says: /^Mean, channel 2 must be a number \(it is empty\)\.$/ },
  'mean.2': { set: (f) => (f.mean[2] = '1,5'), says: /^Mean, channel 3 must be a number \(got "1,5"\)\.$/ },
  'std.0': { set: (f) => (f.std[0] = '-0.2'), says: /^Std, channel 1 must be greater than 0 \(got -0\.2\)\.$/ },
  'std.1': { set: (f) => (f.std[1] = '0'), says: /^Std, channel 2 must be greater than 0 \(got 0\)\.$/ },
  'std.2': { set: (f) => (f.std[2] = 'x'), says: /^Std, channel 3 must be a number \(got "x"\)\.$/ },
  scoreThreshold: { set: (f) => (f.scoreThreshold = '-0.1'), says: /^Score threshold must be at least 0 \(got -0\.1\)\.$/ },
  nmsIou: { set: (f) => (f.nmsIou = '1.5'), says: /^NMS IoU threshold must be at most 1 \(got 1\.5\)\.$/ },
  maxDetections: { set: (f) => (f.maxDetections = '0'), says: /^Max detections must be a whole number greater than 0 \(got 0\)\.$/ },
  classAware: { set: (f) => Object.assign(f, { classAware: 'yes' }), says: /^Class-aware NMS is not valid \(got yes\): pick it again/ },
  classNames: { set: (f) => (f.classNames = ' \n '), says: /^Class names must list at least one name/ },
};

describe('adapter form field errors', () => {
  it.each(ADAPTER_FIELDS)('%s: a bad value gives one error on that field, naming its label and the rule', (field) => {
    const form = formFromAdapter(yolox);
    BAD[field].set(form);
    const checked = checkAdapterForm(form, yolox);
    if (checked.ok) throw new Error(`${field}: the bad value was accepted`);
    expect(Object.keys(checked.fieldErrors)).toEqual([field]);
    const message = checked.fieldErrors[field] ?? '';
    expect(message.startsWith(ADAPTER_FIELD_LABELS[field])).toBe(true);
    expect(message).toMatch(BAD[field].says);
  });

  it('maps schema paths to form fields, and parts the form does not edit to none', () => {
    expect(fieldForPath(['postprocessing', 'nmsIou'])).toBe('nmsIou');
    expect(fieldForPath(['preprocessing', 'mean', 2])).toBe('mean.2');
    expect(fieldForPath(['strides', 3])).toBe('strides');
    expect(fieldForPath(['classNames', 0])).toBe('classNames');
    expect(fieldForPath(['decoding', 'labelOffset'])).toBeNull();
  });

  it('keeps the dotted path for a stored setting the form does not show, and says what to do', () => {
    const broken = { ...yolox, decoding: { boxFormat: 'xyxy', boxUnits: 'pixels', scoreActivation: 'none', backgroundClass: 'none', labelOffset: 0.5 } } as AdapterConfig;
    const checked = checkAdapterForm(formFromAdapter(broken), broken);
    if (checked.ok) throw new Error('a fractional label offset was accepted');
    expect(checked.fieldErrors).toEqual({});
    expect(checked.problems).toHaveLength(1);
    expect(checked.problems[0].problem).toMatch(/^Adapter setting decoding\.labelOffset: .+ Edit the model's adapter JSON or re-import the model\.$/);
  });
});
