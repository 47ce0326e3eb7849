/**
 * Model import: read the graph's declared I/O and metadata, hash the file, and detect
 * the adapter. A file that is not a readable ONNX model is a bad-input error naming it.
 */
import type { ModelFamily } from '../../shared/adapter';
import { badInput, OdraError } from '../../shared/errors';
import { detectAdapter, type AdapterDetection } from './detect-adapter';
import { inspectModelIO, type ModelIO } from './inspect-io';

export interface ImportedModel {
  io: ModelIO;
  adapter: AdapterDetection['config'];
  adapterSource: 'auto' | 'user';
  confidence: number;
  reason: string;
}

export async function importModel(file: string, options: { family?: ModelFamily } = {}): Promise<ImportedModel> {
  let io: ModelIO;
  try {
    io = await inspectModelIO(file);
  } catch (err) {
    if (err instanceof OdraError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw badInput(`${file} is not a readable ONNX model: ${reason}`, [{ file, problem: reason }], file);
  }
  try {
    const detection = detectAdapter(io, options.family);
    return {
      io,
      adapter: detection.config,
      adapterSource: options.family ? 'user' : 'auto',
      confidence: detection.confidence,
      reason: detection.reason,
    };
  } catch (err) {
    if (err instanceof OdraError) throw new OdraError(err.code, `${file}: ${err.message}`, { ...err.details, file });
    throw err;
  }
}
