/**
 * Model import: one read of the file gives its declared I/O, its hash and its
 * compression fingerprint; then the adapter is detected (or forced, or given class
 * names from a names file). A file that is not a readable ONNX model is a bad-input
 * error naming it.
 */
import type { ModelFamily, ModelFingerprint } from '../../shared/adapter';
import { badInput, OdraError } from '../../shared/errors';
import { detectAdapter, type AdapterDetection } from './detect-adapter';
import { inspectModelFile } from './fingerprint/model-fingerprint';
import type { ModelIO } from './inspect-io';

export interface ImportedModel {
  io: ModelIO;
  fingerprint: ModelFingerprint;
  adapter: AdapterDetection['config'];
  adapterSource: 'auto' | 'user';
  confidence: number;
  reason: string;
}

export async function importModel(
  file: string,
  options: { family?: ModelFamily; classNames?: string[] } = {},
): Promise<ImportedModel> {
  let inspected: { io: ModelIO; fingerprint: ModelFingerprint };
  try {
    inspected = await inspectModelFile(file);
  } catch (err) {
    if (err instanceof OdraError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw badInput(`${file} is not a readable ONNX model: ${reason}`, [{ file, problem: reason }], file);
  }
  try {
    const detection = detectAdapter(inspected.io, options.family, options.classNames ? { classNames: options.classNames } : undefined);
    return {
      ...inspected,
      adapter: detection.config,
      adapterSource: options.family || options.classNames ? 'user' : 'auto',
      confidence: detection.confidence,
      reason: detection.reason,
    };
  } catch (err) {
    if (err instanceof OdraError) throw new OdraError(err.code, `${file}: ${err.message}`, { ...err.details, file });
    throw err;
  }
}
