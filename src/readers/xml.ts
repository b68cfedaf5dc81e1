/**
 * A small XML scanner that keeps file offsets: elements (namespace prefixes dropped), attributes
 * with the offset of their value, text and CDATA with entity decoding and a per-character map.
 * Enough for Liquibase changelogs; a DTD's internal entities are decoded, external entities never resolved (by design).
 */
import { joinSource, type SourceText, SourceSyntaxError } from './common.js';

export interface XmlAttr {
  value: string;
  offset: number;
}

export interface XmlElement {
  name: string;
  attrs: Map<string, XmlAttr>;
  children: XmlElement[];
  /** Direct text content (text nodes and CDATA), decoded, mapped to the file. */
  text: SourceText;
  start: number;
  end: number;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decode character and entity references, as the XML parser Liquibase runs does (so `tableName="&#117;sers"`
 * is `users`). `entities`: the predefined ones plus those the document's DTD declares; a reference to any
 * other is an error (the file does not parse there either).
 */
function decode(text: string, start: number, end: number, entities: Record<string, string>): SourceText {
  let out = '';
  const map: number[] = [];
  for (let i = start; i < end; i++) {
    if (text[i] === '&') {
      const ref = /^&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_:][\w.:-]*);/.exec(text.slice(i, Math.min(end, i + 80)));
      if (ref) {
        const name = ref[1];
        let ch: string | undefined = Object.hasOwn(entities, name) ? entities[name] : undefined;
        try {
          if (ch === undefined && name.startsWith('#x')) ch = String.fromCodePoint(parseInt(name.slice(2), 16));
          else if (ch === undefined && name.startsWith('#')) ch = String.fromCodePoint(parseInt(name.slice(1), 10));
        } catch {
          throw new SourceSyntaxError(`invalid character reference &${name};`, i);
        }
        if (ch === undefined) throw new SourceSyntaxError(`the entity &${name}; is not declared`, i);
        out += ch;
        for (let k = 0; k < ch.length; k++) map.push(i);
        i += ref[0].length - 1;
        continue;
      }
    }
    out += text[i];
    map.push(i);
  }
  map.push(end);
  return { text: out, map };
}

/**
 * `<!DOCTYPE name [ <!ENTITY t "users"> … ]>`: the internal entities it declares (their values decoded).
 * External and parameter entities are never read: a document that declares one is refused.
 */
function readDoctype(text: string, lt: number, entities: Record<string, string>): number {
  const open = text.indexOf('[', lt);
  const gt = text.indexOf('>', lt);
  if (gt === -1) throw new SourceSyntaxError('unterminated declaration', lt);
  if (open === -1 || open > gt) return gt + 1;
  let j = open + 1;
  for (;;) {
    while (j < text.length && /\s/.test(text[j])) j++;
    if (j >= text.length) throw new SourceSyntaxError('unterminated DOCTYPE', lt);
    if (text[j] === ']') {
      const close = text.indexOf('>', j);
      if (close === -1) throw new SourceSyntaxError('unterminated DOCTYPE', lt);
      return close + 1;
    }
    if (text.startsWith('<!--', j)) {
      const end = text.indexOf('-->', j + 4);
      if (end === -1) throw new SourceSyntaxError('unterminated comment', j);
      j = end + 3;
      continue;
    }
    const entity = /^<!ENTITY\s+([A-Za-z_:][\w.:-]*)\s+("([^"]*)"|'([^']*)')\s*>/.exec(text.slice(j, j + 4000));
    if (entity) {
      const valueStart = j + entity[0].indexOf(entity[2]) + 1;
      const raw = entity[3] ?? entity[4];
      entities[entity[1]] = decode(text, valueStart, valueStart + raw.length, entities).text;
      j += entity[0].length;
      continue;
    }
    if (/^<!ENTITY\s/.test(text.slice(j, j + 10))) throw new SourceSyntaxError('an external or parameter entity is declared: dbsafe never reads them', j);
    // another declaration (ELEMENT, ATTLIST…): skip it
    if (text.startsWith('<!', j) || text.startsWith('<?', j)) {
      const end = text.indexOf('>', j);
      if (end === -1) throw new SourceSyntaxError('unterminated declaration', j);
      j = end + 1;
      continue;
    }
    throw new SourceSyntaxError('unexpected text in the DOCTYPE', j);
  }
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

export function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: new Map(), children: [], text: { text: '', map: [0] }, start: 0, end: text.length };
  const stack: Array<{ el: XmlElement; texts: SourceText[] }> = [{ el: root, texts: [] }];
  let i = 0;
  const n = text.length;
  const entities: Record<string, string> = { ...ENTITIES };
  while (i < n) {
    const lt = text.indexOf('<', i);
    const top = stack[stack.length - 1];
    if (lt === -1) {
      top.texts.push(decode(text, i, n, entities));
      break;
    }
    if (lt > i) top.texts.push(decode(text, i, lt, entities));
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end === -1) throw new SourceSyntaxError('unterminated comment', lt);
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      if (end === -1) throw new SourceSyntaxError('unterminated CDATA section', lt);
      const map: number[] = [];
      for (let k = lt + 9; k <= end; k++) map.push(k);
      top.texts.push({ text: text.slice(lt + 9, end), map });
      i = end + 3;
    } else if (text.startsWith('<?', lt)) {
      const end = text.indexOf('?>', lt + 2);
      if (end === -1) throw new SourceSyntaxError('unterminated processing instruction', lt);
      i = end + 2;
    } else if (text.startsWith('<!DOCTYPE', lt)) {
      i = readDoctype(text, lt, entities);
    } else if (text.startsWith('<!', lt)) {
      const end = text.indexOf('>', lt + 2);
      if (end === -1) throw new SourceSyntaxError('unterminated declaration', lt);
      i = end + 1;
    } else if (text[lt + 1] === '/') {
      const end = text.indexOf('>', lt);
      if (end === -1) throw new SourceSyntaxError('unterminated end tag', lt);
      const name = localName(text.slice(lt + 2, end).trim());
      const frame = stack.pop();
      if (!frame || stack.length === 0 || frame.el.name !== name) throw new SourceSyntaxError(`unexpected </${name}>`, lt);
      frame.el.text = frame.texts.length ? joinSource(frame.texts) : { text: '', map: [lt] };
      frame.el.end = end + 1;
      i = end + 1;
    } else {
      // start tag with attributes
      const nameMatch = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(lt, lt + 200));
      if (!nameMatch) throw new SourceSyntaxError('invalid tag', lt);
      const el: XmlElement = { name: localName(nameMatch[1]), attrs: new Map(), children: [], text: { text: '', map: [lt] }, start: lt, end: lt };
      let j = lt + nameMatch[0].length;
      for (;;) {
        while (j < n && /\s/.test(text[j])) j++;
        if (text[j] === '/' && text[j + 1] === '>') {
          el.end = j + 2;
          j += 2;
          top.el.children.push(el);
          break;
        }
        if (text[j] === '>') {
          j++;
          top.el.children.push(el);
          stack.push({ el, texts: [] });
          break;
        }
        const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*("|')/.exec(text.slice(j, j + 200));
        if (!attr) throw new SourceSyntaxError('invalid attribute', j);
        const valueStart = j + attr[0].length;
        const close = text.indexOf(attr[2], valueStart);
        if (close === -1) throw new SourceSyntaxError('unterminated attribute value', j);
        el.attrs.set(localName(attr[1]), { value: decode(text, valueStart, close, entities).text, offset: valueStart });
        j = close + 1;
      }
      i = j;
    }
  }
  if (stack.length > 1) throw new SourceSyntaxError(`<${stack[stack.length - 1].el.name}> is never closed`, stack[stack.length - 1].el.start);
  return root;
}
