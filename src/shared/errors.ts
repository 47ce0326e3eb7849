/**
 * Errors as data: every failure that crosses the contract is `{code, message, details}`.
 * `message` is written for the analyst (it names the file and the problem);
 * `details` carries the machine-readable specifics (file, line, field, the list of
 * problems found) so the UI can show them as a table and the CLI can print them.
 */
import { z } from 'zod';

export const ERROR_CODES = [
  'BAD_INPUT', // the user's file or argument is wrong: fixable by the user (CLI exit 2)
  'NOT_FOUND', // an id that the store does not know
  'CANCELLED', // the user cancelled a long job
  'UNSUPPORTED', // valid input that Odra cannot handle (yet)
  'INTERNAL', // a bug or an environment failure (CLI exit 1)
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const problemSchema = z.object({
  file: z.string().optional(),
  line: z.number().int().optional(),
  problem: z.string(),
});
export type Problem = z.infer<typeof problemSchema>;

export const errorPayloadSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z
    .object({
      file: z.string().optional(),
      problems: z.array(problemSchema).optional(),
    })
    .catchall(z.unknown())
    .optional(),
});
export type ErrorPayload = z.infer<typeof errorPayloadSchema>;

export class OdraError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorPayload['details'];

  constructor(code: ErrorCode, message: string, details?: ErrorPayload['details']) {
    super(message);
    this.name = 'OdraError';
    this.code = code;
    this.details = details;
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * A bad-input error listing every problem found; the message shows the first few.
 * `extra` adds machine-readable specifics to the details (e.g. a runtime's raw text).
 */
export function badInput(message: string, problems: Problem[] = [], file?: string, extra: Record<string, unknown> = {}): OdraError {
  const shown = problems.slice(0, 5).map(formatProblem);
  const more = problems.length > 5 ? `\n  ... and ${problems.length - 5} more` : '';
  const text = shown.length ? `${message}\n  ${shown.join('\n  ')}${more}` : message;
  return new OdraError('BAD_INPUT', text, { ...extra, file, problems });
}

/**
 * A bad-input error about one file whose message already says the problem: `${file}
 * ${problem}` (e.g. "x.onnx is a folder, not an ONNX model file"), the problem listed
 * once in the details and not repeated under the message.
 */
export function fileProblem(file: string, problem: string, extra: Record<string, unknown> = {}): OdraError {
  return new OdraError('BAD_INPUT', `${file} ${problem}`, { ...extra, file, problems: [{ file, problem }] });
}

export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ` : '';
  return `${where}${p.problem}`;
}

export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof OdraError) return err.toPayload();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message };
}
