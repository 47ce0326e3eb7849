/**
 * Reading a JSON file of any size as a stream: the elements of its big arrays are
 * handed over one at a time and then dropped, so neither the text (V8 strings stop at
 * about 512 MiB) nor the whole parsed value is ever held.
 *
 * Input: a file and a spec (which root-object keys hold arrays to stream, whether a
 * root array is streamed, which other root-object keys are wanted whole). Output:
 * each streamed element through `onElement(key, index, value)` (key null for the root
 * array's elements; index = the element's position in its array), and the shape of
 * the document: the root's JSON type, the type of every root-object member, and the
 * wanted values. Members of the root object that are neither streamed nor wanted are
 * still parsed (that is how their syntax is checked) and held until the end: COCO's
 * `info` and `licenses` are small.
 *
 * Parsing: @streamparser/json (tokenizer + token parser, spec-compliant, numbers as
 * Number(text), i.e. the double JSON.parse gives, a later duplicate key wins as in
 * JSON.parse, a leading byte-order mark is skipped). The file is read in 64 KiB
 * chunks, so the synchronous work between two reads stays a few milliseconds and the
 * thread keeps answering requests.
 *
 * Errors: invalid JSON throws the same BAD_INPUT as `readJson` (import-common.ts):
 * "<file> is not valid JSON (line L, column C): <reason>". The position is found after
 * the failure, never on the happy path: for files up to LOCATE_WHOLE_LIMIT the text is
 * scanned again by json-location.ts exactly as readJson does, so the message is the
 * same word for word; above it the line and column (UTF-16 units, as there) of the byte
 * where the parser stopped are counted in a second streamed pass, with the parser's
 * own reason. An exception thrown by `onElement` stops the parse and is rethrown as is.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Tokenizer, TokenizerError, TokenParser, TokenParserError, TokenType, type ParsedElementInfo, type ParsedTokenInfo } from '@streamparser/json';
import { badInput } from '../../shared/errors';
import { locateJsonError } from './json-location';
import { readText } from './import-common';

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export interface JsonStreamSpec {
  /** keys of a root object whose array elements are streamed */
  arrays?: readonly string[];
  /** stream the elements of a root array */
  rootArray?: boolean;
  /** keys of a root object whose whole value is wanted */
  values?: readonly string[];
}

export interface JsonShape {
  /** null for a file with no JSON value at all */
  root: JsonType | null;
  /** the root object's keys with the type of their value, in file order */
  members: Map<string, JsonType>;
  /** the wanted values (spec.values) that the file has */
  values: Map<string, unknown>;
}

/** Key of the root-object array the element is in, or null for the root array. */
export type ElementHandler = (key: string | null, index: number, value: unknown) => void;

export const CHUNK_BYTES = 64 * 1024;
/** Files up to this size have their syntax errors located by json-location.ts, as readJson does. */
export const LOCATE_WHOLE_LIMIT = 256 * 1024 * 1024;

function typeOfToken(token: TokenType): JsonType | null {
  switch (token) {
    case TokenType.LEFT_BRACE:
      return 'object';
    case TokenType.LEFT_BRACKET:
      return 'array';
    case TokenType.STRING:
      return 'string';
    case TokenType.NUMBER:
      return 'number';
    case TokenType.TRUE:
    case TokenType.FALSE:
      return 'boolean';
    case TokenType.NULL:
      return 'null';
    default:
      return null;
  }
}

/** Thrown through the tokenizer to stop at a root of an unwanted type. */
class StopParsing extends Error {}

/**
 * A push parser: feed it chunks (`write`), then `end()`. Exposed for tests that feed a
 * text in pieces of any size; `streamJsonFile` drives it from a file.
 */
export class JsonElementStream {
  readonly shape: JsonShape = { root: null, members: new Map(), values: new Map() };
  private readonly tokenizer = new Tokenizer({ stringBufferSize: CHUNK_BYTES, numberBufferSize: 64 });
  private parser: TokenParser | null = null;
  private depth = 0;
  private lastKey = '';
  private memberPending = false;
  private stop = false;
  /** bytes of a leading byte-order mark matched so far; -1 once decided */
  private bomState = 0;
  private bomBytes = 0;
  /** byte offset of the last token seen: where a token-level error is */
  lastTokenOffset = 0;

  constructor(
    private readonly spec: JsonStreamSpec,
    private readonly onElement: ElementHandler,
  ) {
    this.tokenizer.onToken = (t) => this.token(t);
    this.tokenizer.onError = (err) => {
      throw err;
    };
  }

  /** Parses one more piece of the text; does nothing once stopped. */
  write(chunk: Uint8Array | string): void {
    if (this.stop) return;
    if (this.bomState >= 0) this.watchBom(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
    try {
      this.tokenizer.write(chunk);
    } catch (err) {
      if (!(err instanceof StopParsing)) throw err;
    }
  }

  /** Throws when the text stopped inside a value or held none. */
  end(): JsonShape {
    if (this.stopped) return this.shape;
    this.tokenizer.end();
    if (!this.parser) throw new TokenParserError('Parser ended in mid-parsing: the file holds no JSON value');
    if (!this.parser.isEnded) this.parser.end();
    return this.shape;
  }

  /** True once the root turned out to be of a type the spec wants nothing from. */
  get stopped(): boolean {
    return this.stop;
  }

  /**
   * The tokenizer's token offsets leave out a leading byte-order mark (its error
   * positions do not): its 3 bytes are added back so every position is a file offset.
   */
  private watchBom(bytes: Uint8Array): void {
    const BOM = [0xef, 0xbb, 0xbf];
    for (let i = 0; i < bytes.length && this.bomState >= 0; i++) {
      if (bytes[i] !== BOM[this.bomState]) this.bomState = -1;
      else if (++this.bomState === 3) {
        this.bomBytes = 3;
        this.bomState = -1;
      }
    }
  }

  private token(t: ParsedTokenInfo): void {
    this.lastTokenOffset = t.offset + this.bomBytes;
    if (!this.parser) {
      this.parser = this.start(t.token);
      // A COCO reader handed a list (or a BDD reader an object without frames) need not
      // parse a possibly huge file to say so: the caller reports the root's type.
      const wanted = this.shape.root === 'object' ? (this.spec.arrays?.length ?? 0) + (this.spec.values?.length ?? 0) > 0 : this.shape.root === 'array' && this.spec.rootArray;
      if (!wanted) {
        this.stop = true;
        throw new StopParsing();
      }
    }
    if (this.depth === 1 && this.shape.root === 'object') {
      if (this.memberPending) {
        const type = typeOfToken(t.token);
        if (type) this.shape.members.set(this.lastKey, type);
        this.memberPending = false;
      } else if (t.token === TokenType.COLON) {
        this.memberPending = true;
      } else if (t.token === TokenType.STRING) {
        this.lastKey = t.value as string;
      }
    }
    if (t.token === TokenType.LEFT_BRACE || t.token === TokenType.LEFT_BRACKET) this.depth++;
    else if (t.token === TokenType.RIGHT_BRACE || t.token === TokenType.RIGHT_BRACKET) this.depth--;
    this.parser.write(t);
  }

  /** The token parser, chosen by the root's type: only the wanted paths are emitted. */
  private start(first: TokenType): TokenParser {
    const root = typeOfToken(first);
    this.shape.root = root;
    let paths: string[] = [];
    if (root === 'array' && this.spec.rootArray) paths = ['$.*'];
    if (root === 'object') paths = [...(this.spec.arrays ?? []).map((k) => `$.${k}.*`), ...(this.spec.values ?? []).map((k) => `$.${k}`)];
    // a scalar root, or a root nothing is wanted from, is still parsed for its syntax
    const parser = new TokenParser({ paths: paths.length ? paths : ['$.__odra_nothing__'], keepStack: false });
    parser.onValue = (info) => this.value(info);
    parser.onError = (err) => {
      throw err;
    };
    return parser;
  }

  private value(info: ParsedElementInfo): void {
    const { stack, key, value } = info;
    if (stack.length === 1 && this.shape.root === 'array') {
      this.onElement(null, key as number, value);
    } else if (stack.length === 2 && typeof key === 'number') {
      // an element of the array under root key stack[1].key
      const arrayKey = stack[1].key;
      if (Array.isArray(info.parent)) this.onElement(String(arrayKey), key, value);
    } else if (stack.length === 1 && typeof key === 'string') {
      this.shape.values.set(key, value);
    }
  }
}

export interface StreamOptions {
  signal?: AbortSignal;
  onBytes?: (read: number, total: number) => void;
  /** bytes per read (default CHUNK_BYTES; tests use tiny ones) */
  chunkBytes?: number;
  /** syntax errors of files up to this size are located as readJson does (default LOCATE_WHOLE_LIMIT) */
  locateWholeLimit?: number;
}

/**
 * Streams `file` (see the module comment). `onElement` runs synchronously for each
 * element; throw from it to stop. Resolves to the document's shape.
 */
export async function streamJsonFile(
  file: string,
  spec: JsonStreamSpec,
  onElement: ElementHandler,
  options: StreamOptions = {},
): Promise<JsonShape> {
  const size = (await stat(file).catch((err: Error) => {
    throw badInput(`cannot read ${file}: ${err.message}`, [{ file, problem: 'cannot be read' }], file);
  })).size;
  const stream = new JsonElementStream(spec, onElement);
  let read = 0;
  try {
    const input = createReadStream(file, { highWaterMark: options.chunkBytes ?? CHUNK_BYTES });
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        options.signal?.throwIfAborted();
        read += chunk.length;
        stream.write(chunk);
        if (stream.stopped) break;
        options.onBytes?.(read, size);
      }
    } finally {
      input.destroy();
    }
    return stream.end();
  } catch (err) {
    if (!isParseError(err)) {
      if ((err as NodeJS.ErrnoException).code && !(err instanceof Error && err.name === 'OdraError')) {
        throw badInput(`cannot read ${file}: ${(err as Error).message}`, [{ file, problem: 'cannot be read' }], file);
      }
      throw err;
    }
    const offset = errorOffset(err as Error, stream.lastTokenOffset, read);
    throw await syntaxError(file, size <= (options.locateWholeLimit ?? LOCATE_WHOLE_LIMIT), offset, (err as Error).message);
  }
}

function isParseError(err: unknown): boolean {
  return err instanceof TokenizerError || err instanceof TokenParserError || (err instanceof Error && /^(Parser|Tokenizer) ended in/.test(err.message));
}

/** The byte offset the parser stopped at: its own for tokenizer errors, else the last token's. */
function errorOffset(err: Error, lastToken: number, read: number): number {
  const m = /absolute position "(\d+)"/.exec(err.message);
  if (m) return Number(m[1]);
  if (/ended in/.test(err.message)) return read;
  return lastToken;
}

/** The parser's reason in the words json-location.ts uses for it, where there is one. */
function reasonOf(message: string): string {
  if (/ended in/.test(message)) return 'unexpected end of file';
  const m = /^Unexpected "(.*)" at chunk position/.exec(message) ?? /^Unexpected \w+ \((.*)\) in state/.exec(message);
  return m ? `unexpected ${m[1]}` : message.split('\n')[0];
}

async function syntaxError(file: string, locateWhole: boolean, offset: number, message: string): Promise<Error> {
  if (locateWhole) {
    const at = locateJsonError(await readText(file));
    if (at) {
      const problem = `${at.reason} (column ${at.column})`;
      return badInput(`${file} is not valid JSON (line ${at.line}, column ${at.column}): ${at.reason}`, [{ file, line: at.line, problem }], file);
    }
  }
  const { line, column } = await lineAndColumnOfByte(file, offset);
  const reason = reasonOf(message);
  return badInput(`${file} is not valid JSON (line ${line}, column ${column}): ${reason}`, [{ file, line, problem: `${reason} (column ${column})` }], file);
}

/**
 * 1-based line and UTF-16 column of byte `offset`, counted in one streamed pass
 * (a leading byte-order mark is not counted, as readText drops it).
 */
export async function lineAndColumnOfByte(file: string, offset: number): Promise<{ line: number; column: number }> {
  let line = 1;
  let units = 0; // UTF-16 units since the line's start
  let first = true;
  if (offset <= 0) return { line, column: 1 };
  const input = createReadStream(file, { highWaterMark: 1 << 20, end: offset - 1 });
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let i = 0;
    if (first && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    first = false;
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === 0x0a) {
        line++;
        units = 0;
      } else if ((c & 0xc0) !== 0x80) {
        units += c >= 0xf0 ? 2 : 1; // a 4-byte sequence is a surrogate pair
      }
    }
  }
  return { line, column: units + 1 };
}
