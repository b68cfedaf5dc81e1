import { splitName, type Segment } from '../model/names.js';

/**
 * Override markers, read from comments in the file's own comment syntax.
 *
 *   marker    := "dbsafe:allow" | "dbsafe:allow-file", then whitespace, items, then an optional reason
 *   items     := item { "," item }
 *   item      := rule-id [ "(" object ")" ]          rule-id: lower-case letters, digits, "-"
 *   object    := name { "." name }                    name: bare, "double quoted" or `backticked`
 *   reason    := ( "--" | "—" | ":" ) text            (":" because XML comments may not contain "--")
 *
 * Only syntax is decided here; rule ids, reasons and objects are judged by the policy.
 */

export interface MarkerItem {
  rule: string;
  /** The object as written between the parentheses. */
  object?: string;
  segments?: Segment[];
  /** The item as written, e.g. `drop-table(users)`. */
  text: string;
}

export interface Marker {
  line: number;
  column: number;
  fileWide: boolean;
  items: MarkerItem[];
  /** Text after the separator, trimmed; undefined when there is no separator. */
  reason?: string;
  /** The marker as written, from `dbsafe:` on. */
  text: string;
}

export interface MalformedMarker {
  line: number;
  column: number;
  text: string;
  problem: string;
}

export interface CommentStyle {
  /** Comment openers that may hold a marker in this file. */
  openers: readonly string[];
  /** Write a marker body as a comment line of this file. */
  comment(body: string): string;
}

const SQL: CommentStyle = { openers: ['--', '/*', '#'], comment: (b) => `-- ${b}` };
const HASH: CommentStyle = { openers: ['#', '--', '/*'], comment: (b) => `# ${b}` };
const SLASH: CommentStyle = { openers: ['//', '/*', '--'], comment: (b) => `// ${b}` };
const XML: CommentStyle = { openers: ['<!--', '--', '/*'], comment: (b) => `<!-- ${b} -->` };
const ANY: CommentStyle = { openers: ['--', '#', '//', '/*', '<!--'], comment: (b) => `-- ${b}` };

/**
 * The comment syntax of a file, from its extension. SQL `--` and `/* *\/` are accepted in every host
 * language too, because migrations embed SQL strings (op.execute, knex.raw, <sql>) that carry them.
 */
export function commentStyleFor(path: string): CommentStyle {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  switch (ext) {
    case 'sql':
      return SQL;
    case 'py':
    case 'rb':
    case 'yaml':
    case 'yml':
    case 'toml':
      return HASH;
    case 'js':
    case 'mjs':
    case 'cjs':
    case 'ts':
    case 'mts':
    case 'cts':
    case 'go':
    case 'java':
    case 'kt':
    case 'json':
      return SLASH;
    case 'xml':
      return XML;
    default:
      return ANY;
  }
}

/** In XML the reason separator is ":" (a comment may not contain "--"). */
export function reasonSeparator(style: CommentStyle): string {
  return style === XML ? ':' : ' --';
}

// An opener, optional spaces (and extra `*` for `/**`), then `dbsafe:` and a word.
const MARKER_START = /(<!--|--|#|\/\/|\/\*+)[ \t]*dbsafe:([A-Za-z][A-Za-z-]*)/;
const RULE_ID = /^[a-z][a-z0-9-]*/;

/**
 * Find and parse every marker in a file's text. With `isComment`, an opener that does not start a real
 * comment of the file's language (one inside a string, a heredoc, a docstring…) is not a marker.
 */
export function parseMarkers(text: string, path: string, isComment: (offset: number) => boolean = () => true): { markers: Marker[]; malformed: MalformedMarker[] } {
  const style = commentStyleFor(path);
  const markers: Marker[] = [];
  const malformed: MalformedMarker[] = [];
  if (!text.includes('dbsafe:')) return { markers, malformed };
  const lines = text.split(/\r\n|\r|\n/);
  // The closer of a block comment open at the start of the current line (markers may sit on its inner lines).
  let inBlock: '*/' | '-->' | undefined;
  const lineBreaks = text.matchAll(/\r\n?|\n/g);
  let lineStart = 0;
  lines.forEach((lineText, index) => {
    const offset = lineStart;
    const lineBreak = lineBreaks.next().value;
    if (lineBreak) lineStart = lineBreak.index + lineBreak[0].length;
    const blockAtStart = inBlock;
    inBlock = blockStateAfter(lineText, inBlock, style);
    if (!lineText.includes('dbsafe:')) return;
    const inner = blockAtStart && findInsideBlock(lineText, blockAtStart);
    // an inner line of a block comment: the comment opened on an earlier line
    const found = inner && isComment(offset + inner.index) ? inner : findMarkerStart(lineText, style, (at) => isComment(offset + at));
    if (!found) return;
    const line = index + 1;
    const column = found.index + 1;
    let body = lineText.slice(found.bodyStart);
    // Close of a block comment on the same line.
    if (found.opener.startsWith('/*')) body = body.replace(/\*+\/.*$/, '');
    if (found.opener === '<!--') body = body.replace(/-->.*$/, '');
    body = body.trimEnd();
    const written = `dbsafe:${found.directive}${body}`.trim();
    const directive = found.directive;
    if (directive !== 'allow' && directive !== 'allow-file') {
      malformed.push({
        line,
        column,
        text: written,
        problem: `unknown directive "dbsafe:${directive}" (use dbsafe:allow or dbsafe:allow-file)`,
      });
      return;
    }
    const result = parseBody(body);
    if ('problem' in result) {
      malformed.push({ line, column, text: written, problem: result.problem });
      return;
    }
    markers.push({ line, column, fileWide: directive === 'allow-file', items: result.items, reason: result.reason, text: written });
  });
  return { markers, malformed };
}

// An inner line of a block comment: ` * dbsafe:allow …` or `  dbsafe:allow …`.
const INNER_MARKER = /^([ \t]*\**[ \t]*)dbsafe:([A-Za-z][A-Za-z-]*)/;

function findInsideBlock(lineText: string, closer: '*/' | '-->') {
  const match = INNER_MARKER.exec(lineText);
  if (!match) return undefined;
  const index = match[1].length;
  return { index, opener: closer === '*/' ? '/*' : '<!--', directive: match[2], bodyStart: match[0].length };
}

/**
 * Whether a block comment (`/* *\/`, `<!-- -->`) is still open after this line. Strings are not
 * tracked: a stray opener in a string can at worst let an inner line read as a marker, never hide one.
 */
function blockStateAfter(lineText: string, open: '*/' | '-->' | undefined, style: CommentStyle): '*/' | '-->' | undefined {
  if (!open && !lineText.includes('/*') && !lineText.includes('<!--')) return undefined;
  let state = open;
  let i = 0;
  while (i < lineText.length) {
    if (state) {
      const end = lineText.indexOf(state, i);
      if (end === -1) return state;
      i = end + state.length;
      state = undefined;
      continue;
    }
    const block = style.openers.includes('/*') ? lineText.indexOf('/*', i) : -1;
    const xml = style.openers.includes('<!--') ? lineText.indexOf('<!--', i) : -1;
    const lineComment = firstLineComment(lineText, i, style);
    const candidates = [block, xml].filter((at) => at !== -1);
    if (!candidates.length) return undefined;
    const next = Math.min(...candidates);
    if (lineComment !== -1 && lineComment < next) return undefined;
    state = next === block ? '*/' : '-->';
    i = next + (state === '*/' ? 2 : 4);
  }
  return state;
}

function firstLineComment(lineText: string, from: number, style: CommentStyle): number {
  let first = -1;
  for (const opener of style.openers) {
    if (opener === '/*' || opener === '<!--') continue;
    let at = lineText.indexOf(opener, from);
    // `--` inside `<!--` is not a line comment.
    while (opener === '--' && at > 1 && lineText.startsWith('<!--', at - 2)) at = lineText.indexOf(opener, at + 2);
    if (at !== -1 && (first === -1 || at < first)) first = at;
  }
  return first;
}

function findMarkerStart(lineText: string, style: CommentStyle, isComment: (at: number) => boolean) {
  let from = 0;
  while (from < lineText.length) {
    const match = MARKER_START.exec(lineText.slice(from));
    if (!match) return undefined;
    const opener = match[1].startsWith('/*') ? '/*' : match[1];
    const index = from + match.index;
    if (style.openers.includes(opener) && isComment(index)) {
      return { index, opener: match[1], directive: match[2], bodyStart: index + match[0].length };
    }
    from = index + match[0].length;
  }
  return undefined;
}

function parseBody(body: string): { items: MarkerItem[]; reason?: string } | { problem: string } {
  if (body.trim() === '') return { problem: 'no rule named: write e.g. "dbsafe:allow drop-table(users) -- reason"' };
  if (!/^\s/.test(body)) return { problem: `expected a space after the directive, found "${body.slice(0, 20)}"` };
  let rest = body.trimStart();
  const items: MarkerItem[] = [];
  for (;;) {
    const id = RULE_ID.exec(rest);
    if (!id) return { problem: `expected a rule id (such as drop-table) at "${rest.slice(0, 20)}"` };
    let itemText = id[0];
    rest = rest.slice(id[0].length);
    let object: string | undefined;
    let segments: Segment[] | undefined;
    if (rest.startsWith('(')) {
      const close = closingParen(rest);
      if (close === -1) return { problem: `missing ")" after "${itemText}${rest.slice(0, 20)}"` };
      object = rest.slice(1, close).trim();
      segments = splitName(object);
      if (!segments) return { problem: `"${object}" is not an object name (write e.g. users, public.users or orders.total)` };
      itemText += `(${object})`;
      rest = rest.slice(close + 1);
    }
    items.push({ rule: id[0], object, segments, text: itemText });
    rest = rest.trimStart();
    if (rest.startsWith(',')) {
      rest = rest.slice(1).trimStart();
      continue;
    }
    break;
  }
  if (rest === '') return { items };
  for (const separator of ['--', '—', ':']) {
    if (rest.startsWith(separator)) return { items, reason: rest.slice(separator.length).trim() };
  }
  return {
    problem: `unexpected "${rest.slice(0, 20)}" after "${items[items.length - 1].text}": separate rules with "," and put the reason after " -- "`,
  };
}

/** Index of the ")" closing the "(" at 0, skipping quoted names. */
function closingParen(text: string): number {
  let quote: string | undefined;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === '`') quote = c;
    else if (c === ')') return i;
  }
  return -1;
}
