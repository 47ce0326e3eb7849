/**
 * The parts of js-yaml and sax that the YOLO and VOC importers use. Neither package
 * ships type declarations and no @types package is installed; if one is added later,
 * TypeScript resolves it before these ambient declarations.
 */
declare module 'js-yaml' {
  export interface Mark {
    /** 0-based */
    line: number;
    /** 0-based */
    column: number;
  }
  export class YAMLException extends Error {
    reason: string;
    mark?: Mark;
  }
  export function load(text: string, options?: { filename?: string; json?: boolean }): unknown;
}

declare module 'sax' {
  export interface Tag {
    name: string;
    attributes: Record<string, string>;
    isSelfClosing: boolean;
  }
  export interface SAXParser {
    /** 0-based line of the character being read */
    line: number;
    column: number;
    error: Error | null;
    onopentag: ((tag: Tag) => void) | null;
    onclosetag: ((name: string) => void) | null;
    ontext: ((text: string) => void) | null;
    oncdata: ((text: string) => void) | null;
    onerror: ((err: Error) => void) | null;
    write(chunk: string): SAXParser;
    close(): SAXParser;
  }
  export function parser(strict: boolean, options?: { trim?: boolean; normalize?: boolean; position?: boolean }): SAXParser;
  const sax: { parser: typeof parser };
  export default sax;
}
