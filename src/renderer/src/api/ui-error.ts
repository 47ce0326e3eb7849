/**
 * What a view shows when a call fails: the engine's message (it names the file and
 * the problem) plus, when the engine listed them, one row per problem.
 */
import { OdraError, type ErrorCode, type Problem } from '../../../shared/errors';

export interface UiError {
  code: ErrorCode | 'CLIENT';
  message: string;
  file?: string;
  problems: Problem[];
}

export function toUiError(err: unknown): UiError {
  if (err instanceof OdraError) {
    return {
      code: err.code,
      message: err.message,
      file: err.details?.file,
      problems: err.details?.problems ?? [],
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'CLIENT', message, problems: [] };
}

export function isCancelled(err: unknown): boolean {
  return err instanceof OdraError && err.code === 'CANCELLED';
}
