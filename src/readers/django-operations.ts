/**
 * The operations a Django migration runs, however its list is built: `operations = [...]`, then
 * `operations += [...]`, `.append(op)`, `.extend([...])`, `.insert(i, op)` in the class body (or on
 * `Migration.operations` after it), lists and single operations named by module or class attributes,
 * `*SPREAD` inside a list and `A + B`. Anything built at run time (a call, a comprehension) is opaque.
 */
import type { PyLine, PyParser, PyTok, PyValue } from './python.js';

export interface OperationsList {
  /** The operation calls, in the order they run (names resolved to what they were assigned). */
  items: PyValue[];
  /** The parts that are built at run time: where, and why. */
  opaque: Array<{ at: number; statement: string; detail: string }>;
  /** The `operations` token of the assignment. */
  anchor: PyTok;
}

interface Resolver {
  value(v: PyValue): PyValue | undefined;
}

/** Where the value of `operations = …` or `operations: list[Operation] = …` starts (token index in the line). */
function valueAt(line: PyLine): number | undefined {
  if (line.toks[1]?.value === '=') return 2;
  if (line.toks[1]?.value !== ':') return undefined;
  let depth = 0;
  for (let k = 2; k < line.toks.length; k++) {
    const t = line.toks[k];
    if (t.type === 'op' && '([{'.includes(t.value)) depth++;
    else if (t.type === 'op' && ')]}'.includes(t.value)) depth--;
    else if (depth === 0 && t.type === 'op' && t.value === '=') return k + 1;
  }
  return undefined;
}

export function collectOperations(parser: PyParser, lines: PyLine[], r: Resolver, text: string): OperationsList | undefined {
  const toks = parser.toks;
  const blocks: Array<{ indent: number; kind: string; bodyIndent?: number }> = [];
  let inClass = false;
  let chosen: { line: PyLine; index: number; classLevel: boolean } | undefined;
  const lineInfo = lines.map((line) => {
    while (blocks.length && blocks[blocks.length - 1].indent >= line.indent) blocks.pop();
    const head = line.toks[0].value;
    const owner = blocks.length > 0 && blocks[blocks.length - 1].kind === 'class' ? blocks[blocks.length - 1] : undefined;
    if (owner && owner.bodyIndent === undefined) owner.bodyIndent = line.indent;
    if (head === 'class' || head === 'def' || head === 'async') blocks.push({ indent: line.indent, kind: head === 'class' ? 'class' : 'def' });
    // inBlock: under an `if` / `for` / `try` of the class body, which may or may not run
    return { classLevel: owner !== undefined && head !== 'class', owner, inBlock: owner !== undefined && line.indent > owner.bodyIndent!, topLevel: line.indent === 0 };
  });
  lines.forEach((line, index) => {
    // Prefer the class attribute (`class Migration: operations = [...]`) over a helper's local variable;
    // the class body's first assignment starts the list (a later one in an `else:` adds to it, see below).
    if (line.toks[0].value === 'operations' && valueAt(line) !== undefined) {
      const classLevel = lineInfo[index].classLevel;
      // a later class of the same name replaces the earlier one: its list is the one that runs
      if (inClass && lineInfo[index].owner === lineInfo[chosen!.index].owner) return;
      if (inClass && !classLevel) return;
      inClass = classLevel;
      chosen = { line, index, classLevel };
    }
  });
  if (!chosen) return undefined;
  const out: OperationsList = { items: [], opaque: [], anchor: chosen.line.toks[0] };
  const opaque = (v: { start: number; end: number }, detail: string): void => void out.opaque.push({ at: v.start, statement: text.slice(v.start, v.end), detail });
  const indexAt = (offset: number) => toks.findIndex((t) => t.start === offset);

  /** One operation: a call, or a name bound to one. */
  const one = (v: PyValue, depth = 0): void => {
    if (v.kind === 'name' && depth < 8) {
      const bound = r.value(v);
      if (bound && bound !== v) return bound.kind === 'list' ? many(bound, depth + 1) : one(bound, depth + 1);
    }
    if (v.kind === 'unknown' && text[v.start] === '*') {
      const i = indexAt(v.start);
      if (i >= 0) return many(parser.parsePrimary(i + 1, false).value, depth + 1);
    }
    if (v.kind === 'call') {
      // operations are classes (`migrations.DeleteModel(...)`, `CreateExtension(...)`); a function returns one built at run time
      const callee = v.func.kind === 'attr' ? v.func.name : v.func.kind === 'name' ? v.func.name : undefined;
      if (callee && /^[a-z_]/.test(callee)) return opaque(v, `${callee}() builds an operation at run time`);
      return void out.items.push(v);
    }
    opaque(v, 'an operation built at run time');
  };
  /** A list of operations: a literal list, a name bound to one, `*SPREAD` items. */
  const many = (v: PyValue, depth = 0): void => {
    if (v.kind === 'list') {
      // [op(x) for x in …]: a comprehension runs at run time
      const first = indexAt(v.start);
      for (let j = first + 1, d = 0; j >= 1 && j < toks.length && toks[j].start < v.end; j++) {
        if (toks[j].type === 'op' && '([{'.includes(toks[j].value)) d++;
        else if (toks[j].type === 'op' && ')]}'.includes(toks[j].value)) d--;
        else if (d === 0 && toks[j].type === 'name' && toks[j].value === 'for') return opaque(v, 'the operations are built by a comprehension at run time');
      }
      return v.items.forEach((item) => one(item, depth));
    }
    if (v.kind === 'name' && depth < 8) {
      const bound = r.value(v);
      if (bound && bound !== v) return many(bound, depth + 1);
    }
    opaque(v, v.kind === 'call' ? 'the operations list is built at run time' : 'the operations list is built at run time (not a literal list)');
  };
  /** `A + B + [...]` from token i to the end of the line. */
  const sum = (i: number, end: number): void => {
    for (let j = i; j < end; ) {
      const { value, next } = parser.parsePrimary(j, false);
      many(value);
      if (toks[next]?.type === 'op' && toks[next].value === '+') j = next + 1;
      else {
        if (next < end && toks[next]?.type !== 'newline') opaque({ start: toks[next].start, end: toks[end - 1]?.end ?? toks[next].end }, 'the operations list is built at run time');
        break;
      }
    }
  };
  const lineEnd = (line: PyLine) => line.startIndex + line.toks.length;

  sum(chosen.line.startIndex + valueAt(chosen.line)!, lineEnd(chosen.line));
  // What later lines add: in the same class body, or on Migration.operations after it.
  for (let k = chosen.index + 1; k < lines.length; k++) {
    const line = lines[k];
    const sameBody = chosen.classLevel ? lineInfo[k].owner === lineInfo[chosen.index].owner : line.indent === chosen.line.indent;
    let at = 0;
    if (line.toks[0].value === 'Migration' && line.toks[1]?.value === '.' && lineInfo[k].topLevel) at = 2;
    else if (!sameBody) continue;
    if (line.toks[at]?.value !== 'operations') continue;
    const op = line.toks[at + 1];
    const start = line.startIndex + at;
    if (op?.value === '+=') sum(start + 2, lineEnd(line));
    // in a block that may not run, `operations = [...]` is one of the lists that may run: read them all
    else if (op?.value === '=' && lineInfo[k].inBlock) sum(start + 2, lineEnd(line));
    else if (op?.value === '=') {
      out.items = [];
      out.opaque = [];
      sum(start + 2, lineEnd(line));
    } else if (op?.value === '.' && line.toks[at + 3]?.value === '(') {
      const method = line.toks[at + 2]?.value;
      const call = parser.parseExpr(start).value;
      if (call.kind !== 'call') continue;
      if (method === 'append') one(call.args[0] ?? call);
      else if (method === 'extend') many(call.args[0] ?? call);
      else if (method === 'insert' && call.args[1]) one(call.args[1]);
      else opaque(call, `operations.${method}() changes the list at run time`);
    }
  }
  return out;
}
