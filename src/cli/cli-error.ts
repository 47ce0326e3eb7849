import { formatProblem, OdraError } from '../shared/errors';

/** Exit codes: 0 ok, 2 bad input (the user can fix it), 1 anything else. */
export function exitCodeFor(err: unknown): number {
  return err instanceof OdraError && (err.code === 'BAD_INPUT' || err.code === 'UNSUPPORTED' || err.code === 'NOT_FOUND') ? 2 : 1;
}

export function describeError(err: unknown): string {
  if (err instanceof OdraError) {
    const problems = err.details?.problems ?? [];
    const listed = problems.length > 5 && !err.message.includes('more') ? `\n  ${problems.map(formatProblem).join('\n  ')}` : '';
    return `odra: ${err.message}${listed}`;
  }
  return `odra: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}

export function usageError(message: string): OdraError {
  return new OdraError('BAD_INPUT', message);
}
