/**
 * A shell command line → every simple command it would run, for the guard's matcher. Not a shell:
 * it reads the POSIX sh / bash syntax an agent or a person writes on one line (quotes, escapes,
 * `&&` `||` `;` `&` `|`, newlines, `( … )` and `{ … }`, `$( … )` and backquotes, redirections,
 * here-documents and here-strings), and reports what it cannot know (a program named by a variable,
 * an unterminated quote) in `unsure`, so the caller treats the line as destructive and says why.
 * Commands inside substitutions and subshells are listed too: they run as well.
 */

export interface Redirect {
  /** `<`, `>`, `>>`, `<<`, `<<-`, `<<<`, `<>`, `>&`, `&>`… (any leading fd number dropped). */
  op: string;
  /** The file, the here-doc delimiter or the here-string word. */
  target: string;
  /** Here-documents and here-strings: the text given on stdin. */
  body?: string;
}

export interface SimpleCommand {
  /** Words after quote removal; leading `VAR=value` assignments are in `assignments`. */
  argv: string[];
  assignments: string[];
  /** Per argv word: it contains `$VAR`, `$( … )` or a backquote, so its value is unknown here. */
  dynamic: boolean[];
  redirects: Redirect[];
  /** The command whose stdout is piped into this one (`a | b`: b.pipedFrom = a). */
  pipedFrom?: SimpleCommand;
}

export interface ParsedLine {
  commands: SimpleCommand[];
  /** Why the line cannot be read with certainty (each makes the guard treat it as destructive). */
  unsure: string[];
}

const RESERVED_PREFIX = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time']);
const RESERVED_ALONE = new Set(['fi', 'done', 'esac', '}', 'then', 'do', 'else']);
const MAX_DEPTH = 8;

interface Word {
  text: string;
  dynamic: boolean;
  /** The word was written with quotes (so `{`, `if`… are plain words, and `2>` is no fd). */
  quoted: boolean;
}

/** A here-document delimiter word carries the body read after its line (filled in before parsing). */
type Token = { kind: 'word'; word: Word; heredoc?: { body?: string } } | { kind: 'op'; op: string } | { kind: 'redirect'; op: string };

/** Parse a command line. `depth` bounds nested `sh -c` / substitutions (deeper is unsure). */
export function parseCommandLine(line: string, depth = 0): ParsedLine {
  const result: ParsedLine = { commands: [], unsure: [] };
  if (depth > MAX_DEPTH) {
    result.unsure.push('commands nested too deeply to read');
    return result;
  }
  const tokens = tokenize(line, depth, result);
  let current = newCommand();
  let pendingRedirect: string | undefined;
  let pipeFrom: SimpleCommand | undefined;

  const finish = (piped: boolean) => {
    if (pendingRedirect) {
      result.unsure.push(`a redirection (${pendingRedirect}) with no file`);
      pendingRedirect = undefined;
    }
    stripReserved(current);
    if (current.argv.length || current.redirects.length || current.assignments.length) {
      if (pipeFrom) current.pipedFrom = pipeFrom;
      result.commands.push(current);
      pipeFrom = piped ? current : undefined;
    } else if (!piped) pipeFrom = undefined;
    current = newCommand();
  };

  for (const token of tokens) {
    if (token.kind === 'redirect') {
      pendingRedirect = token.op;
      continue;
    }
    if (token.kind === 'op') {
      finish(token.op === '|' || token.op === '|&');
      continue;
    }
    const word = token.word;
    if (pendingRedirect) {
      const redirect: Redirect = { op: pendingRedirect, target: word.text };
      if (pendingRedirect === '<<<') redirect.body = `${word.text}\n`;
      else if (token.heredoc) redirect.body = token.heredoc.body;
      current.redirects.push(redirect);
      pendingRedirect = undefined;
      continue;
    }
    if (current.argv.length === 0 && !word.quoted && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word.text)) {
      current.assignments.push(word.text);
      continue;
    }
    current.argv.push(word.text);
    current.dynamic.push(word.dynamic);
  }
  finish(false);
  return result;
}

function newCommand(): SimpleCommand {
  return { argv: [], assignments: [], dynamic: [], redirects: [] };
}

/** `if x`, `then y`, `{ z; }`, `! a`: the reserved word is not the program. */
function stripReserved(command: SimpleCommand): void {
  while (command.argv.length && RESERVED_PREFIX.has(command.argv[0]!)) {
    command.argv.shift();
    command.dynamic.shift();
  }
  if (command.argv.length === 1 && RESERVED_ALONE.has(command.argv[0]!)) {
    command.argv.length = 0;
    command.dynamic.length = 0;
  }
}

function tokenize(line: string, depth: number, result: ParsedLine): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  let word: Word | undefined;
  /** Here-documents whose bodies start after the next newline. */
  const pendingBodies: Array<{ delimiter: string; stripTabs: boolean; token: { body?: string } }> = [];
  let expectHeredocDelimiter: { stripTabs: boolean } | undefined;

  const start = () => (word ??= { text: '', dynamic: false, quoted: false });
  const end = () => {
    if (!word) return;
    if (expectHeredocDelimiter) {
      // the body follows the line that opens it: read when that newline comes
      const heredoc: { body?: string } = {};
      pendingBodies.push({ delimiter: word.text, stripTabs: expectHeredocDelimiter.stripTabs, token: heredoc });
      tokens.push({ kind: 'word', word, heredoc });
      expectHeredocDelimiter = undefined;
    } else tokens.push({ kind: 'word', word });
    word = undefined;
  };
  const substitute = (inner: string) => {
    const nested = parseCommandLine(inner, depth + 1);
    result.commands.push(...nested.commands);
    result.unsure.push(...nested.unsure);
    start().dynamic = true;
  };

  while (index < line.length) {
    const char = line[index]!;
    if (char === '\\') {
      if (line[index + 1] === '\n') index += 2;
      else {
        start().text += line[index + 1] ?? '';
        index += 2;
      }
      continue;
    }
    if (char === "'") {
      const close = line.indexOf("'", index + 1);
      if (close < 0) {
        result.unsure.push('an unterminated single quote');
        start().text += line.slice(index + 1);
        break;
      }
      const current = start();
      current.text += line.slice(index + 1, close);
      current.quoted = true;
      index = close + 1;
      continue;
    }
    if (char === '$' && line[index + 1] === "'") {
      const read = readAnsiC(line, index + 2);
      if (!read) {
        result.unsure.push("an unterminated $'…' quote");
        break;
      }
      const current = start();
      current.text += read.text;
      current.quoted = true;
      index = read.end;
      continue;
    }
    if (char === '"') {
      const current = start();
      current.quoted = true;
      index++;
      let closed = false;
      while (index < line.length) {
        const inner = line[index]!;
        if (inner === '"') {
          closed = true;
          index++;
          break;
        }
        if (inner === '\\' && index + 1 < line.length && '$`"\\\n'.includes(line[index + 1]!)) {
          if (line[index + 1] !== '\n') current.text += line[index + 1];
          index += 2;
          continue;
        }
        if (inner === '$' || inner === '`') {
          const expansion = readExpansion(line, index);
          if (!expansion) {
            result.unsure.push('an unterminated substitution');
            index = line.length;
            break;
          }
          if (expansion.command !== undefined) substitute(expansion.command);
          else current.dynamic = true;
          current.text += line.slice(index, expansion.end);
          index = expansion.end;
          continue;
        }
        current.text += inner;
        index++;
      }
      if (!closed) result.unsure.push('an unterminated double quote');
      continue;
    }
    if (char === '$' || char === '`') {
      const expansion = readExpansion(line, index);
      if (!expansion) {
        result.unsure.push('an unterminated substitution');
        break;
      }
      if (expansion.command !== undefined) substitute(expansion.command);
      else if (expansion.end === index + 1) {
        start().text += '$'; // a lone `$` is a literal dollar
        index++;
        continue;
      } else start().dynamic = true;
      start().text += line.slice(index, expansion.end);
      index = expansion.end;
      continue;
    }
    if ((char === '<' || char === '>') && line[index + 1] === '(') {
      // process substitution: its command runs too
      const close = matchParen(line, index + 1);
      if (close < 0) {
        result.unsure.push('an unterminated process substitution');
        break;
      }
      substitute(line.slice(index + 2, close));
      start().text += line.slice(index, close + 1);
      index = close + 1;
      continue;
    }
    if (char === '#' && !word) {
      const newline = line.indexOf('\n', index);
      index = newline < 0 ? line.length : newline;
      continue;
    }
    if (char === ' ' || char === '\t') {
      end();
      index++;
      continue;
    }
    if (char === '\n') {
      end();
      tokens.push({ kind: 'op', op: '\n' });
      index++;
      if (pendingBodies.length) index = readHeredocBodies(line, index, pendingBodies, result);
      continue;
    }
    const operator = /^(?:&&|\|\||;;|\|&|[;&|()])/.exec(line.slice(index))?.[0];
    if (operator) {
      end();
      tokens.push({ kind: 'op', op: operator });
      index += operator.length;
      continue;
    }
    const redirect = /^(?:&>>|&>|<<<|<<-|<<|<>|>>|>&|<&|>\||[<>])/.exec(line.slice(index))?.[0];
    if (redirect) {
      // a word of digits right before the operator is the fd it redirects (`2>`), not an argument
      if (word && !word.quoted && !word.dynamic && /^\d+$/.test(word.text)) word = undefined;
      else end();
      index += redirect.length;
      if ((redirect === '>&' || redirect === '<&') && /^[\d-]/.test(line[index] ?? '')) {
        const fd = /^(?:\d+|-)/.exec(line.slice(index))![0];
        index += fd.length; // 2>&1: no file
        continue;
      }
      tokens.push({ kind: 'redirect', op: redirect });
      if (redirect === '<<' || redirect === '<<-') expectHeredocDelimiter = { stripTabs: redirect === '<<-' };
      continue;
    }
    start().text += char;
    index++;
  }
  end();
  if (pendingBodies.length) {
    result.unsure.push(`a here-document (<<${pendingBodies[0]!.delimiter}) with no body`);
  }
  return tokens;
}

function readHeredocBodies(
  line: string,
  index: number,
  pending: Array<{ delimiter: string; stripTabs: boolean; token: { body?: string } }>,
  result: ParsedLine,
): number {
  while (pending.length) {
    const { delimiter, stripTabs, token } = pending.shift()!;
    const lines: string[] = [];
    let found = false;
    while (index < line.length) {
      const newline = line.indexOf('\n', index);
      const text = line.slice(index, newline < 0 ? line.length : newline);
      index = newline < 0 ? line.length : newline + 1;
      const compared = stripTabs ? text.replace(/^\t+/, '') : text;
      if (compared === delimiter) {
        found = true;
        break;
      }
      lines.push(compared);
    }
    if (!found) result.unsure.push(`a here-document (<<${delimiter}) that never ends`);
    token.body = lines.length ? `${lines.join('\n')}\n` : '';
  }
  return index;
}

/** `$VAR`, `${…}`, `$( … )`, `$(( … ))`, backquotes: where it ends, and the command it runs (if any). */
function readExpansion(line: string, index: number): { end: number; command?: string } | undefined {
  if (line[index] === '`') {
    let cursor = index + 1;
    let inner = '';
    while (cursor < line.length && line[cursor] !== '`') {
      if (line[cursor] === '\\' && cursor + 1 < line.length) {
        inner += line[cursor + 1];
        cursor += 2;
      } else inner += line[cursor++];
    }
    return cursor < line.length ? { end: cursor + 1, command: inner } : undefined;
  }
  const next = line[index + 1];
  if (next === '(') {
    if (line[index + 2] === '(') {
      const close = matchParen(line, index + 1);
      return close < 0 ? undefined : { end: close + 1 };
    }
    const close = matchParen(line, index + 1);
    return close < 0 ? undefined : { end: close + 1, command: line.slice(index + 2, close) };
  }
  if (next === '{') {
    const close = line.indexOf('}', index + 2);
    return close < 0 ? undefined : { end: close + 1 };
  }
  const name = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(line.slice(index + 1))?.[0];
  return { end: index + 1 + (name?.length ?? 0) };
}

/** The index of the `)` matching the `(` at `open`, skipping quoted text; -1 when unbalanced. */
function matchParen(line: string, open: number): number {
  let depth = 0;
  for (let cursor = open; cursor < line.length; cursor++) {
    const char = line[cursor];
    if (char === '\\') cursor++;
    else if (char === "'") {
      const close = line.indexOf("'", cursor + 1);
      if (close < 0) return -1;
      cursor = close;
    } else if (char === '"') {
      cursor++;
      while (cursor < line.length && line[cursor] !== '"') cursor += line[cursor] === '\\' ? 2 : 1;
    } else if (char === '(') depth++;
    else if (char === ')' && --depth === 0) return cursor;
  }
  return -1;
}

function readAnsiC(line: string, index: number): { text: string; end: number } | undefined {
  let text = '';
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\u0007', e: '\u001b', '0': '\0' };
  for (let cursor = index; cursor < line.length; cursor++) {
    const char = line[cursor]!;
    if (char === "'") return { text, end: cursor + 1 };
    if (char !== '\\') {
      text += char;
      continue;
    }
    const next = line[cursor + 1] ?? '';
    const hex = /^x([0-9A-Fa-f]{1,2})/.exec(line.slice(cursor + 1));
    if (hex) {
      text += String.fromCharCode(parseInt(hex[1]!, 16));
      cursor += hex[0].length;
    } else {
      text += escapes[next] ?? next;
      cursor++;
    }
  }
  return undefined;
}
