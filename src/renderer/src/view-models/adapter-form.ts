/**
 * The adapter editor keeps every field as the text the user typed; turning it back
 * into a config is explicit, and the shared zod schema decides whether it is valid,
 * so the form can never send something the engine would reject for shape.
 *
 * A schema issue becomes a field error in words (`fieldErrorFromIssue`): the issue's
 * path picks the form field (input.width -> "Input width", preprocessing.mean.1 ->
 * "Mean, channel 2", strides.2 -> "Strides"), its code and bounds become the rule
 * ("must be at most 1", "must be a whole number greater than 0"), and the text the
 * user typed is quoted back ("(got 1.5)"). An issue on a part of the config the form
 * does not edit keeps its dotted path, so it is still named. One error per field:
 * the first issue zod reports for it.
 */
import { adapterConfigSchema, type AdapterConfig, type ModelFamily } from '../../../shared/adapter';
import type { Problem } from '../../../shared/errors';
import type { z } from 'zod';

type Triple = [string, string, string];

export interface AdapterForm {
  family: ModelFamily;
  inputName: string;
  width: string;
  height: string;
  resize: AdapterConfig['preprocessing']['resize'];
  align: AdapterConfig['preprocessing']['align'];
  padValue: string;
  channelOrder: AdapterConfig['preprocessing']['channelOrder'];
  scale: string;
  mean: Triple;
  std: Triple;
  scoreThreshold: string;
  nmsIou: string;
  classAware: boolean;
  maxDetections: string;
  /** comma-separated; empty = the decoder's default */
  strides: string;
  /** one class name per line */
  classNames: string;
}

const triple = (values: readonly number[]): Triple => [String(values[0]), String(values[1]), String(values[2])];

export function formFromAdapter(adapter: AdapterConfig): AdapterForm {
  const pre = adapter.preprocessing;
  const post = adapter.postprocessing;
  return {
    family: adapter.family,
    inputName: adapter.input.name,
    width: String(adapter.input.width),
    height: String(adapter.input.height),
    resize: pre.resize,
    align: pre.align,
    padValue: String(pre.padValue),
    channelOrder: pre.channelOrder,
    scale: String(pre.scale),
    mean: triple(pre.mean),
    std: triple(pre.std),
    scoreThreshold: String(post.scoreThreshold),
    nmsIou: String(post.nmsIou),
    classAware: post.classAware,
    maxDetections: String(post.maxDetections),
    strides: adapter.strides ? adapter.strides.join(', ') : '',
    classNames: adapter.classNames.join('\n'),
  };
}

/**
 * A number from a field: blank or non-numeric text becomes NaN, which the schema
 * rejects with the field's path. Accepts a fraction like "1/255" because that is how
 * scales are usually written.
 */
export function parseNumber(text: string): number {
  const t = text.trim();
  if (t === '') return Number.NaN;
  const fraction = /^([-+]?\d*\.?\d+(?:e[-+]?\d+)?)\s*\/\s*([-+]?\d*\.?\d+(?:e[-+]?\d+)?)$/i.exec(t);
  if (fraction) return Number(fraction[1]) / Number(fraction[2]);
  return Number(t);
}

export function classNamesFromText(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/**
 * The edited config laid over the stored one, so fields this form does not know
 * (a newer schema) are kept rather than silently dropped.
 */
export function candidateFromForm(form: AdapterForm, base: AdapterConfig): unknown {
  const strides = form.strides.trim();
  const rest: AdapterConfig = { ...base };
  delete rest.strides;
  return {
    ...rest,
    family: form.family,
    input: { ...base.input, name: form.inputName.trim(), width: parseNumber(form.width), height: parseNumber(form.height) },
    preprocessing: {
      ...base.preprocessing,
      resize: form.resize,
      align: form.align,
      padValue: parseNumber(form.padValue),
      channelOrder: form.channelOrder,
      scale: parseNumber(form.scale),
      mean: form.mean.map(parseNumber),
      std: form.std.map(parseNumber),
    },
    postprocessing: {
      ...base.postprocessing,
      scoreThreshold: parseNumber(form.scoreThreshold),
      nmsIou: parseNumber(form.nmsIou),
      classAware: form.classAware,
      maxDetections: parseNumber(form.maxDetections),
    },
    ...(strides ? { strides: strides.split(/[\s,]+/).filter(Boolean).map(parseNumber) } : {}),
    classNames: classNamesFromText(form.classNames),
  };
}

/** Every field of the form that a schema issue can point at; mean.N / std.N are the three boxes of a triple. */
export const ADAPTER_FIELDS = [
  'family',
  'inputName',
  'width',
  'height',
  'strides',
  'resize',
  'align',
  'padValue',
  'channelOrder',
  'scale',
  'mean.0',
  'mean.1',
  'mean.2',
  'std.0',
  'std.1',
  'std.2',
  'scoreThreshold',
  'nmsIou',
  'maxDetections',
  'classAware',
  'classNames',
] as const;
export type AdapterField = (typeof ADAPTER_FIELDS)[number];

/** The labels the form shows; a message names the field exactly as the analyst sees it. */
export const ADAPTER_FIELD_LABELS: Record<AdapterField, string> = {
  family: 'Family',
  inputName: 'Input tensor',
  width: 'Input width',
  height: 'Input height',
  strides: 'Strides',
  resize: 'Resize',
  align: 'Align',
  padValue: 'Pad value',
  channelOrder: 'Channel order',
  scale: 'Scale',
  'mean.0': 'Mean, channel 1',
  'mean.1': 'Mean, channel 2',
  'mean.2': 'Mean, channel 3',
  'std.0': 'Std, channel 1',
  'std.1': 'Std, channel 2',
  'std.2': 'Std, channel 3',
  scoreThreshold: 'Score threshold',
  nmsIou: 'NMS IoU threshold',
  maxDetections: 'Max detections',
  classAware: 'Class-aware NMS',
  classNames: 'Class names',
};

const PATH_FIELDS: Record<string, AdapterField> = {
  family: 'family',
  'input.name': 'inputName',
  'input.width': 'width',
  'input.height': 'height',
  strides: 'strides',
  'preprocessing.resize': 'resize',
  'preprocessing.align': 'align',
  'preprocessing.padValue': 'padValue',
  'preprocessing.channelOrder': 'channelOrder',
  'preprocessing.scale': 'scale',
  'preprocessing.mean.0': 'mean.0',
  'preprocessing.mean.1': 'mean.1',
  'preprocessing.mean.2': 'mean.2',
  'preprocessing.std.0': 'std.0',
  'preprocessing.std.1': 'std.1',
  'preprocessing.std.2': 'std.2',
  'postprocessing.scoreThreshold': 'scoreThreshold',
  'postprocessing.nmsIou': 'nmsIou',
  'postprocessing.maxDetections': 'maxDetections',
  'postprocessing.classAware': 'classAware',
  classNames: 'classNames',
};

/** The form field a schema path points at; null for parts of the config the form does not edit. */
export function fieldForPath(path: readonly PropertyKey[]): AdapterField | null {
  const key = path.map(String).join('.');
  if (PATH_FIELDS[key]) return PATH_FIELDS[key];
  // one bad stride or class name is an error of the whole text field it was typed in
  if (path[0] === 'strides' || path[0] === 'classNames') return path[0];
  return null;
}

/** What the user typed into a field, as the form holds it. */
export function typedText(form: AdapterForm, field: AdapterField): string {
  const triple = /^(mean|std)\.(\d)$/.exec(field);
  if (triple) return form[triple[1] as 'mean' | 'std'][Number(triple[2])] ?? '';
  const value = form[field as Exclude<AdapterField, `mean.${number}` | `std.${number}`>];
  return typeof value === 'string' ? value : String(value);
}

export interface FieldError {
  /** null: a part of the config this form does not show */
  field: AdapterField | null;
  message: string;
}

type Issue = z.core.$ZodIssue;

function bound(value: number | bigint): string {
  return String(value);
}

/** The rule an issue says the value broke, in words, for a field that holds one number. */
function numberRule(issue: Issue, field: AdapterField): string {
  const whole = field === 'width' || field === 'height' || field === 'maxDetections';
  if (issue.code === 'too_big') return `${whole ? 'a whole number ' : ''}${issue.inclusive ? 'at most' : 'less than'} ${bound(issue.maximum)}`;
  if (issue.code === 'too_small') {
    if (!issue.inclusive && Number(issue.minimum) === 0) return whole ? 'a whole number greater than 0' : 'greater than 0';
    return `${whole ? 'a whole number ' : ''}${issue.inclusive ? 'at least' : 'greater than'} ${bound(issue.minimum)}`;
  }
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'a whole number';
  return whole ? 'a whole number' : 'a number';
}

/** "(got …)": the typed text, quoted when it is not a number, so a stray letter or blank is visible. */
function got(text: string): string {
  const t = text.trim();
  if (t === '') return 'it is empty';
  return Number.isFinite(Number(t)) ? `got ${t}` : `got "${t}"`;
}

/**
 * One schema issue as a field error in words. Pure: the issue and the form's text are
 * all it reads.
 */
export function fieldErrorFromIssue(issue: Issue, form: AdapterForm): FieldError {
  const field = fieldForPath(issue.path);
  if (field === null) {
    const where = issue.path.length ? issue.path.map(String).join('.') : 'adapter';
    return { field, message: `Adapter setting ${where}: ${issue.message}. Edit the model's adapter JSON or re-import the model.` };
  }
  const label = ADAPTER_FIELD_LABELS[field];
  const text = typedText(form, field);
  switch (field) {
    case 'inputName':
      return { field, message: `${label} must not be empty: enter the name of the model's image input (see the model's inputs).` };
    case 'classNames':
      return { field, message: `${label} must list at least one name, one per line, in the model's class index order.` };
    case 'strides':
      return {
        field,
        message: `${label} must be whole numbers greater than 0, separated by commas, e.g. 8, 16, 32 (${got(text)}); leave it empty for the default.`,
      };
    case 'family':
    case 'resize':
    case 'align':
    case 'channelOrder':
    case 'classAware': {
      const allowed = issue.code === 'invalid_value' ? issue.values.map(String).join(', ') : null;
      return { field, message: allowed ? `${label} must be one of ${allowed} (got ${text}).` : `${label} is not valid (got ${text}): pick it again from the list.` };
    }
    default:
      return { field, message: `${label} must be ${numberRule(issue, field)} (${got(text)}).` };
  }
}

export type AdapterFieldErrors = Partial<Record<AdapterField, string>>;

export type AdapterCheck =
  | { ok: true; adapter: AdapterConfig }
  | { ok: false; problems: Problem[]; fieldErrors: AdapterFieldErrors };

export function checkAdapterForm(form: AdapterForm, base: AdapterConfig): AdapterCheck {
  const parsed = adapterConfigSchema.safeParse(candidateFromForm(form, base));
  if (parsed.success) return { ok: true, adapter: parsed.data };
  const errors = parsed.error.issues.map((issue) => fieldErrorFromIssue(issue, form));
  const fieldErrors: AdapterFieldErrors = {};
  const problems: Problem[] = [];
  for (const e of errors) {
    if (e.field !== null) {
      if (fieldErrors[e.field] !== undefined) continue;
      fieldErrors[e.field] = e.message;
    }
    problems.push({ problem: e.message });
  }
  return { ok: false, problems, fieldErrors };
}
