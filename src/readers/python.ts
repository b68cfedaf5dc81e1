/**
 * A small Python tokenizer and expression parser, enough to read migration files statically:
 * strings (prefixes r/b/u/f, triple quotes, escapes, implicit concatenation), comments, brackets,
 * line continuation, logical lines with their indentation. Never executes anything.
 */
import type { Operation } from '../model/operation.js';
import { joinSource, SourceTextBuilder, syntaxErrorOp, type ReadContext, type SourceText, type StringPart, SourceSyntaxError } from './common.js';

export type PyTokType = 'name' | 'number' | 'string' | 'op' | 'newline';

export interface PyString {
  prefix: string;
  /** Decoded text (for f-strings with holes: the literal parts only, see `parts`). */
  source: SourceText;
  /** f-string with `{…}` interpolations: literal parts and holes (file offsets). */
  parts?: StringPart[];
}

export interface PyTok {
  type: PyTokType;
  value: string;
  start: number;
  end: number;
  /** Indentation (columns) of the logical line this token belongs to. */
  indent: number;
  /** First token of its logical line. */
  lineStart: boolean;
  str?: PyString;
}

const OPS3 = ['**=', '//=', '>>=', '<<=', '...', '!='];
const OPS2 = ['**', '//', '==', '!=', '<=', '>=', '->', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', ':=', '<<', '>>'];

const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0xc0;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);

/** The tokens of a Python migration, or the `unparseable` operation its syntax error becomes (Alembic, Django). */
export function pythonTokensOrError(ctx: ReadContext, text: string): { toks: PyTok[] } | { error: Operation } {
  try {
    return { toks: tokenizePython(text) };
  } catch (error) {
    if (error instanceof SourceSyntaxError) return { error: syntaxErrorOp(ctx, error.offset, 'Python', error.message) };
    throw error;
  }
}

export function tokenizePython(source: string): PyTok[] {
  // Python reads CRLF, CR and LF alike as a line end (a lone CR ends a `#` comment); same length, so offsets hold
  const text = source.replace(/\r(?!\n)/g, '\n');
  const toks: PyTok[] = [];
  let i = 0;
  let depth = 0;
  let atLineStart = true;
  let indent = 0;
  let measuredAt = -1;
  const open: number[] = [];
  const n = text.length;
  const push = (tok: Omit<PyTok, 'indent' | 'lineStart'>) => {
    toks.push({ type: tok.type, value: tok.value, start: tok.start, end: tok.end, indent, lineStart: atLineStart, str: tok.str });
    atLineStart = false;
  };
  while (i < n) {
    const c = text[i];
    if (atLineStart && depth === 0 && measuredAt !== i) {
      // measure indentation of a new logical line
      let col = 0;
      let j = i;
      while (j < n && (text[j] === ' ' || text[j] === '\t')) {
        col = text[j] === '\t' ? (Math.floor(col / 8) + 1) * 8 : col + 1;
        j++;
      }
      indent = col;
      measuredAt = j;
      if (j !== i) {
        i = j;
        continue;
      }
    }
    if (c === '\n') {
      if (depth === 0 && !atLineStart) {
        toks.push({ type: 'newline', value: '\n', start: i, end: i + 1, indent, lineStart: false });
        atLineStart = true;
      }
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3;
      continue;
    }
    const strMatch = c === '"' || c === "'" || ('rRbBuUfF'.includes(c) && /^[rRbBuUfF]{1,2}['"]/.test(text.slice(i, i + 3))) ? /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(text.slice(i, i + 5)) : null;
    if (strMatch) {
      const prefix = strMatch[1];
      const quote = strMatch[2];
      const bodyStart = i + prefix.length + quote.length;
      const { str, end } = readString(text, bodyStart, quote, prefix.toLowerCase());
      push({ type: 'string', value: text.slice(i, end), start: i, end, str: { prefix, ...str } });
      i = end;
      continue;
    }
    if (isIdentStart(text.charCodeAt(i))) {
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      push({ type: 'name', value: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(text[j])) j++;
      push({ type: 'number', value: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    const three = text.slice(i, i + 3);
    const two = text.slice(i, i + 2);
    const op = OPS3.includes(three) ? three : OPS2.includes(two) ? two : c;
    if (op === '(' || op === '[' || op === '{') {
      depth++;
      open.push(i);
    } else if (op === ')' || op === ']' || op === '}') {
      const at = open.pop();
      if (at === undefined || { '(': ')', '[': ']', '{': '}' }[text[at]] !== op) throw new SourceSyntaxError(`unbalanced ${op}`, i);
      depth--;
    }
    push({ type: 'op', value: op, start: i, end: i + op.length });
    i += op.length;
  }
  if (open.length) throw new SourceSyntaxError(`${text[open[open.length - 1]]} is never closed`, open[open.length - 1]);
  if (!atLineStart) toks.push({ type: 'newline', value: '\n', start: n, end: n, indent, lineStart: false });
  return toks;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };

function readString(
  text: string,
  start: number,
  quote: string,
  prefix: string,
): { str: Omit<PyString, 'prefix'>; end: number } {
  const raw = prefix.includes('r');
  const isF = prefix.includes('f');
  const triple = quote.length === 3;
  const literal = new SourceTextBuilder();
  const parts: StringPart[] = [];
  let hasHole = false;
  let i = start;
  // f-string parts end just after their last character (JS and Ruby parts end at the hole or quote)
  const takeLiteral = (): SourceText => literal.take(literal.offsetAfterLast(i));
  while (i < text.length) {
    if (text.startsWith(quote, i)) {
      const end = i + quote.length;
      if (!hasHole) return { str: { source: literal.take(i) }, end };
      parts.push({ literal: takeLiteral() });
      return { str: { source: joinSource(parts.filter((p): p is { literal: SourceText } => 'literal' in p).map((p) => p.literal)), parts }, end };
    }
    const c = text[i];
    if (c === '\n' && !triple) throw new SourceSyntaxError('unterminated string literal', start);
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '\n') {
        if (raw) literal.appendVerbatim('\\\n', i); // a raw string keeps its line continuation
        i += 2;
        continue;
      }
      if (raw) {
        literal.appendVerbatim(c + (next ?? ''), i);
        i += 2;
        continue;
      }
      if (next !== undefined && next in SIMPLE_ESCAPES) {
        literal.append(SIMPLE_ESCAPES[next], i);
        i += 2;
        continue;
      }
      literal.append(c, i); // an unknown escape keeps its backslash
      i++;
      continue;
    }
    if (isF && c === '{') {
      if (text[i + 1] === '{') {
        literal.append('{', i);
        i += 2;
        continue;
      }
      // interpolation: skip the expression (nested brackets and strings)
      parts.push({ literal: takeLiteral() }, { hole: i });
      hasHole = true;
      let depth = 1;
      let j = i + 1;
      while (j < text.length && depth > 0) {
        const d = text[j];
        if (d === '{') depth++;
        else if (d === '}') depth--;
        else if (d === "'" || d === '"') {
          const q = d;
          j++;
          while (j < text.length && text[j] !== q && text[j] !== '\n') j++;
        } else if (d === '\n' && !triple) throw new SourceSyntaxError('unterminated f-string', start);
        j++;
      }
      i = j;
      continue;
    }
    if (isF && c === '}' && text[i + 1] === '}') {
      literal.append('}', i);
      i += 2;
      continue;
    }
    literal.append(c, i);
    i++;
  }
  throw new SourceSyntaxError('unterminated string literal', start);
}

// ---------------------------------------------------------------------------------------------
// Expressions

export type PyValue =
  | { kind: 'str'; pieces: PyString[]; start: number; end: number }
  | { kind: 'list'; items: PyValue[]; start: number; end: number }
  | { kind: 'dict'; entries: Array<[PyValue, PyValue]>; start: number; end: number }
  | { kind: 'call'; func: PyValue; args: PyValue[]; kwargs: Map<string, PyValue>; start: number; end: number }
  | { kind: 'name'; name: string; start: number; end: number }
  | { kind: 'attr'; obj: PyValue; name: string; start: number; end: number }
  | { kind: 'const'; value: string; start: number; end: number }
  /** Not modelled (a binary operator, a condition…); `parts` are its operands, whose calls still run. */
  | { kind: 'unknown'; start: number; end: number; parts?: PyValue[] };

/** `a.b().c` → "a.b().c"; undefined for anything else. */
export function dotted(v: PyValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'name') return v.name;
  if (v.kind === 'attr') {
    const base = dotted(v.obj);
    return base === undefined ? undefined : `${base}.${v.name}`;
  }
  if (v.kind === 'call') {
    const base = dotted(v.func);
    return base === undefined ? undefined : `${base}()`;
  }
  return undefined;
}

/** The last name of a call's function: `migrations.RunSQL(...)` → "RunSQL". */
export function calleeName(v: PyValue): string | undefined {
  if (v.kind !== 'call') return undefined;
  if (v.func.kind === 'name') return v.func.name;
  if (v.func.kind === 'attr') return v.func.name;
  return undefined;
}

/** Words that join operands (`a and b`, `x if c else y`, `a not in b`). */
const OPERATOR_WORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'await']);

export class PyParser {
  constructor(readonly toks: PyTok[]) {}

  private isTerminator(t: PyTok | undefined, stopAtColon: boolean): boolean {
    if (!t) return true;
    if (t.type === 'newline') return true;
    if (t.type === 'op' && (t.value === ';' || t.value === ',' || t.value === ')' || t.value === ']' || t.value === '}' || t.value === '=' || (stopAtColon && t.value === ':'))) return true;
    if (t.type === 'name' && (t.value === 'for' || t.value === 'as')) return true;
    return false;
  }

  /** Skip to the end of an expression we do not model. */
  private skipExpr(i: number, stopAtColon: boolean): number {
    let depth = 0;
    while (i < this.toks.length) {
      const t = this.toks[i];
      if (depth === 0 && this.isTerminator(t, stopAtColon) && !(t.type === 'op' && t.value === '=' && this.toks[i + 1]?.value === '=')) return i;
      if (t.type === 'newline' && depth === 0) return i;
      if (t.type === 'op' && '([{'.includes(t.value)) depth++;
      if (t.type === 'op' && ')]}'.includes(t.value)) {
        if (depth === 0) return i;
        depth--;
      }
      i++;
    }
    return i;
  }

  /** Parse an expression at i; returns the value and the index after it. */
  parseExpr(i: number, stopAtColon = false): { value: PyValue; next: number } {
    const first = this.toks[i];
    if (!first) return { value: { kind: 'unknown', start: 0, end: 0 }, next: i };
    if (first.type === 'name' && first.value === 'lambda') {
      let j = i + 1;
      while (j < this.toks.length && !(this.toks[j].type === 'op' && this.toks[j].value === ':')) j++;
      const body = this.parseExpr(j + 1, stopAtColon);
      return { value: { kind: 'unknown', start: first.start, end: this.toks[body.next - 1]?.end ?? first.end, parts: [body.value] }, next: body.next };
    }
    let { value, next } = this.parsePrimary(i, stopAtColon);
    // binary operators: string + string stays a string; anything else is not modelled
    while (!this.isTerminator(this.toks[next], stopAtColon)) {
      const t = this.toks[next];
      if (t.type === 'op' && t.value === '+' && value.kind === 'str') {
        const right = this.parsePrimary(next + 1, stopAtColon);
        if (right.value.kind === 'str') {
          value = { kind: 'str', pieces: [...value.pieces, ...right.value.pieces], start: value.start, end: right.value.end };
          next = right.next;
          continue;
        }
        // "UPDATE " + Model._meta.db_table + " SET …": a name joined in is a hole, as in an f-string
        if ((right.value.kind === 'name' || right.value.kind === 'attr') && this.toks[right.next]?.value === '+') {
          const hole: PyString = { prefix: 'f', source: { text: '', map: [right.value.start] }, parts: [{ hole: right.value.start }] };
          value = { kind: 'str', pieces: [...value.pieces, hole], start: value.start, end: right.value.end };
          next = right.next;
          continue;
        }
      }
      return this.operands(value, next, stopAtColon);
    }
    return { value, next };
  }

  /**
   * The rest of an expression we do not model (`a and b`, `x if c else y`, `n * 2`): every operand is kept,
   * so a call on either side of an operator is still read (`is_pg and op.drop_table("users")`).
   */
  private operands(first: PyValue, i: number, stopAtColon: boolean): { value: PyValue; next: number } {
    const parts: PyValue[] = [first];
    let next = i;
    while (next < this.toks.length && !this.isTerminator(this.toks[next], stopAtColon)) {
      const t = this.toks[next];
      if (t.type === 'name' && t.value === 'lambda') {
        const body = this.parseExpr(next, stopAtColon);
        parts.push(body.value);
        next = Math.max(body.next, next + 1);
      } else if ((t.type === 'op' && !'([{'.includes(t.value)) || (t.type === 'name' && OPERATOR_WORDS.has(t.value))) next++;
      else {
        const operand = this.parsePrimary(next, stopAtColon);
        parts.push(operand.value);
        next = Math.max(operand.next, next + 1);
      }
    }
    const last = parts[parts.length - 1];
    return { value: { kind: 'unknown', start: first.start, end: Math.max(last.end, this.toks[next - 1]?.end ?? first.end), parts }, next };
  }

  /** One operand (no binary operator after it): `COMMON` in `COMMON + [...]`. */
  parsePrimary(i: number, stopAtColon: boolean): { value: PyValue; next: number } {
    const t = this.toks[i];
    let value: PyValue;
    let next = i + 1;
    if (!t || t.type === 'newline') return { value: { kind: 'unknown', start: t?.start ?? 0, end: t?.start ?? 0 }, next: i };
    if (t.type === 'string') {
      const pieces: PyString[] = [t.str!];
      let end = t.end;
      while (this.toks[next]?.type === 'string') {
        pieces.push(this.toks[next].str!);
        end = this.toks[next].end;
        next++;
      }
      value = { kind: 'str', pieces, start: t.start, end };
    } else if (t.type === 'number') {
      value = { kind: 'const', value: t.value, start: t.start, end: t.end };
    } else if (t.type === 'name') {
      if (t.value === 'await' || t.value === 'not') {
        const inner = this.parseExpr(i + 1, stopAtColon);
        return t.value === 'await' ? inner : { value: { kind: 'unknown', start: t.start, end: inner.value.end, parts: [inner.value] }, next: inner.next };
      }
      value =
        t.value === 'None' || t.value === 'True' || t.value === 'False'
          ? { kind: 'const', value: t.value, start: t.start, end: t.end }
          : { kind: 'name', name: t.value, start: t.start, end: t.end };
    } else if (t.type === 'op' && (t.value === '[' || t.value === '(')) {
      const close = t.value === '[' ? ']' : ')';
      const items: PyValue[] = [];
      let j = i + 1;
      let sawComma = false;
      while (j < this.toks.length && !(this.toks[j].type === 'op' && this.toks[j].value === close)) {
        const item = this.parseExpr(j);
        items.push(item.value);
        j = item.next;
        const sep = this.toks[j];
        if (sep?.type === 'op' && sep.value === ',') {
          sawComma = true;
          j++;
        } else if (!(sep?.type === 'op' && sep.value === close)) {
          j = this.skipExpr(j, false);
          if (this.toks[j]?.value !== close) j++;
          items.push({ kind: 'unknown', start: sep?.start ?? 0, end: sep?.end ?? 0 });
        }
      }
      const end = this.toks[j]?.end ?? t.end;
      next = j + 1;
      value = t.value === '(' && !sawComma && items.length === 1 ? { ...items[0], start: items[0].start, end: items[0].end } : { kind: 'list', items, start: t.start, end };
    } else if (t.type === 'op' && t.value === '{') {
      const entries: Array<[PyValue, PyValue]> = [];
      let j = i + 1;
      while (j < this.toks.length && !(this.toks[j].type === 'op' && this.toks[j].value === '}')) {
        const key = this.parseExpr(j, true);
        j = key.next;
        if (this.toks[j]?.value === ':') {
          const val = this.parseExpr(j + 1);
          entries.push([key.value, val.value]);
          j = val.next;
        }
        if (this.toks[j]?.value === ',') j++;
        else if (this.toks[j]?.value !== '}') j = this.skipExpr(j + 1, false);
      }
      next = j + 1;
      value = { kind: 'dict', entries, start: t.start, end: this.toks[j]?.end ?? t.end };
    } else {
      const end = this.skipExpr(i + 1, stopAtColon);
      return { value: { kind: 'unknown', start: t.start, end: this.toks[end - 1]?.end ?? t.end }, next: Math.max(end, i + 1) };
    }
    // trailers: .name, (args), [index]
    for (;;) {
      const u = this.toks[next];
      if (u?.type === 'op' && u.value === '.' && this.toks[next + 1]?.type === 'name') {
        const nameTok = this.toks[next + 1];
        value = { kind: 'attr', obj: value, name: nameTok.value, start: value.start, end: nameTok.end };
        next += 2;
      } else if (u?.type === 'op' && u.value === '(') {
        const args: PyValue[] = [];
        const kwargs = new Map<string, PyValue>();
        let j = next + 1;
        while (j < this.toks.length && !(this.toks[j].type === 'op' && this.toks[j].value === ')')) {
          const a = this.toks[j];
          if (a.type === 'name' && this.toks[j + 1]?.type === 'op' && this.toks[j + 1].value === '=') {
            const v = this.parseExpr(j + 2);
            kwargs.set(a.value, v.value);
            j = v.next;
          } else if (a.type === 'op' && (a.value === '*' || a.value === '**')) {
            const v = this.parseExpr(j + 1);
            args.push({ kind: 'unknown', start: a.start, end: v.value.end });
            j = v.next;
          } else {
            const v = this.parseExpr(j);
            args.push(v.value);
            j = v.next;
            if (this.toks[j]?.type === 'name' && this.toks[j].value === 'for') j = this.skipExpr(j + 1, false); // generator argument
          }
          if (this.toks[j]?.type === 'op' && this.toks[j].value === ',') j++;
          else if (!(this.toks[j]?.type === 'op' && this.toks[j].value === ')')) {
            if (j >= this.toks.length) break;
            j++;
          }
        }
        value = { kind: 'call', func: value, args, kwargs, start: value.start, end: this.toks[j]?.end ?? value.end };
        next = j + 1;
      } else if (u?.type === 'op' && u.value === '[') {
        let depth = 0;
        let j = next;
        for (; j < this.toks.length; j++) {
          if (this.toks[j].value === '[' && this.toks[j].type === 'op') depth++;
          if (this.toks[j].value === ']' && this.toks[j].type === 'op' && --depth === 0) break;
        }
        value = { kind: 'unknown', start: value.start, end: this.toks[j]?.end ?? value.end };
        next = j + 1;
      } else break;
    }
    return { value, next };
  }
}

/** Visit every call in a value tree (depth first, outer call before its arguments). */
export function* callsIn(v: PyValue): Generator<Extract<PyValue, { kind: 'call' }>> {
  if (v.kind === 'call') {
    yield v;
    yield* callsIn(v.func);
    for (const a of v.args) yield* callsIn(a);
    for (const a of v.kwargs.values()) yield* callsIn(a);
  } else if (v.kind === 'list') for (const a of v.items) yield* callsIn(a);
  else if (v.kind === 'dict') for (const [k, a] of v.entries) (yield* callsIn(k), yield* callsIn(a));
  else if (v.kind === 'attr') yield* callsIn(v.obj);
  else if (v.kind === 'unknown') for (const a of v.parts ?? []) yield* callsIn(a);
}

/** A logical line: its tokens (without the newline) and indentation. */
export interface PyLine {
  toks: PyTok[];
  indent: number;
  startIndex: number;
}

export function logicalLines(toks: PyTok[]): PyLine[] {
  const lines: PyLine[] = [];
  let cur: PyTok[] = [];
  let startIndex = 0;
  toks.forEach((t, i) => {
    // `;` separates simple statements on one line (`op.drop_table("a"); print("done")`)
    if (t.type === 'newline' || (t.type === 'op' && t.value === ';')) {
      if (cur.length) lines.push({ toks: cur, indent: cur[0].indent, startIndex });
      cur = [];
      startIndex = i + 1;
    } else cur.push(t);
  });
  if (cur.length) lines.push({ toks: cur, indent: cur[0].indent, startIndex });
  return lines;
}

/**
 * A string value as SQL: plain or concatenated literals → text with its file map; f-strings with
 * holes → parts for the interpolation check. Returns undefined for non-strings.
 */
export function stringParts(v: PyValue): Array<{ literal: SourceText } | { hole: number }> | undefined {
  if (v.kind !== 'str') return undefined;
  const parts: Array<{ literal: SourceText } | { hole: number }> = [];
  for (const piece of v.pieces) {
    if (piece.parts) parts.push(...piece.parts);
    else parts.push({ literal: piece.source });
  }
  return parts;
}

/** A string value without interpolation → its decoded text; otherwise undefined. */
export function literalString(v: PyValue | undefined): SourceText | undefined {
  if (!v || v.kind !== 'str' || v.pieces.some((p) => p.parts)) return undefined;
  return joinSource(v.pieces.map((p) => p.source));
}
