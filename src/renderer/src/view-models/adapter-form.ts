/**
 * The adapter editor keeps every field as the text the user typed; turning it back
 * into a config is explicit, and the shared zod schema decides whether it is valid,
 * so the form can never send something the engine would reject for shape.
 */
import { adapterConfigSchema, type AdapterConfig, type ModelFamily } from '../../../shared/adapter';
import type { Problem } from '../../../shared/errors';

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

export type AdapterCheck = { ok: true; adapter: AdapterConfig } | { ok: false; problems: Problem[] };

export function checkAdapterForm(form: AdapterForm, base: AdapterConfig): AdapterCheck {
  const parsed = adapterConfigSchema.safeParse(candidateFromForm(form, base));
  if (parsed.success) return { ok: true, adapter: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      problem: `${issue.path.length ? issue.path.join('.') : 'adapter'}: ${issue.message}`,
    })),
  };
}
