/**
 * A small element tree over the sax parser (strict mode), with the line of every
 * element, so an annotation problem can be reported at its line. Enough for
 * annotation files (Pascal VOC): elements, attributes, text; no namespaces.
 */
import sax from 'sax';
import { badInput } from '../../shared/errors';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** the element's own text (CDATA included), not its children's */
  text: string;
  /** 1-based */
  line: number;
}

export function parseXml(text: string, file: string): XmlElement {
  const parser = sax.parser(true, { position: true });
  const stack: XmlElement[] = [];
  // a holder: TypeScript does not see the callbacks assign it
  const doc: { root: XmlElement | null } = { root: null };
  parser.onopentag = (tag) => {
    // without the xmlns option attribute values are plain strings (QualifiedAttribute is xmlns mode's)
    const attributes = Object.fromEntries(Object.entries(tag.attributes).map(([k, v]) => [k, typeof v === 'string' ? v : v.value]));
    const el: XmlElement = { name: tag.name, attributes, children: [], text: '', line: parser.line + 1 };
    if (stack.length) stack[stack.length - 1].children.push(el);
    else doc.root = el;
    stack.push(el);
  };
  parser.onclosetag = () => void stack.pop();
  parser.ontext = (t) => {
    if (stack.length) stack[stack.length - 1].text += t;
  };
  parser.oncdata = parser.ontext;
  parser.onerror = (err) => {
    // sax appends "\nLine: .. Column: .. Char: .."; the line is reported as a field instead.
    const reason = err.message.split('\n')[0];
    const line = parser.line + 1;
    throw badInput(`${file} is not well-formed XML (line ${line}): ${reason}`, [{ file, line, problem: reason }], file);
  };
  parser.write(text).close();
  if (!doc.root) throw badInput(`${file} holds no XML element`, [{ file, problem: 'no XML element' }], file);
  return doc.root;
}

export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** Trimmed text of a direct child, or undefined when there is no such child. */
export function childText(el: XmlElement, name: string): string | undefined {
  return child(el, name)?.text.trim();
}
