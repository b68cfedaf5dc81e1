import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/**
 * A configuration file that could not be read, said so the user can fix it: a missing file is
 * missing (not a syntax error), and a syntax error names the line, the column and the parser's
 * own message, with the lines around it.
 */
export function configReadError(error: unknown, file: string | undefined, explicit: boolean): ConfigError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const where = file ?? 'the configuration file';
  if (code === 'ENOENT' && file) {
    return new ConfigError(`Configuration file ${file} does not exist${explicit ? ' (given with --config)' : ''}`, {
      hint: 'Check the path, or leave out --config to use the .dbsaferc* file found from the current directory up.',
    });
  }
  if (code === 'EISDIR' && file) {
    return new ConfigError(`Configuration file ${file} is a directory`, { hint: '--config takes the path of a file such as .dbsaferc.json.' });
  }
  if (code === 'EACCES' && file) {
    return new ConfigError(`Configuration file ${file} cannot be read: permission denied`, { hint: `Check the file's permissions (ls -l ${file}).` });
  }
  const located = syntaxLocation(error);
  if (located) {
    return new ConfigError(`${located.file ?? where}:${located.line}:${located.column}: invalid ${located.language}: ${located.message}${located.frame ? `\n${located.frame}` : ''}`, {
      hint: `Fix the ${located.language} syntax at line ${located.line}, column ${located.column}.`,
    });
  }
  return new ConfigError(`Could not read ${where}: ${firstLine(error)}`, {
    hint: 'Fix the file so it loads (run it with node to see the full error), or point --config at another one.',
  });
}

interface SyntaxLocation {
  language: 'JSON' | 'YAML';
  file?: string;
  line: number;
  column: number;
  message: string;
  frame?: string;
}

/** The parser's message and 1-based position, for cosmiconfig's JSON (parse-json) and YAML (js-yaml) errors. */
function syntaxLocation(error: unknown): SyntaxLocation | undefined {
  if (!(error instanceof Error)) return undefined;
  const file = (error as { filepath?: string }).filepath;
  if (error.name === 'YAMLException') {
    const { reason, mark } = error as Error & { reason?: string; mark?: { line: number; column: number; snippet?: string } };
    if (!mark) return undefined;
    return { language: 'YAML', file, line: mark.line + 1, column: mark.column + 1, message: reason ?? firstLine(error), frame: indent(mark.snippet) };
  }
  if (error.name === 'JSONError' && file) {
    // parse-json's message repeats the code frame; JSON.parse gives the parser's message and the offset
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const parsed = jsonSyntax(text.replace(/^\uFEFF/, ''));
    if (!parsed) return undefined;
    return { language: 'JSON', file, ...parsed, frame: codeFrame(text, parsed.line, parsed.column) };
  }
  return undefined;
}

/** Line, column (1-based) and message of the first syntax error JSON.parse finds in `text`, if any. */
export function jsonSyntax(text: string): { line: number; column: number; message: string } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    // V8 gives "… in JSON at position 51" for some errors only ("Unexpected token 'x', … is not valid
    // JSON" has none on Node 20): the scanner below finds the same offset for every error
    const position = /at position (\d+)/.exec(raw);
    const offset = position ? Number(position[1]) : (jsonErrorOffset(text) ?? text.length);
    const before = text.slice(0, offset).split('\n');
    const message = raw
      .replace(/, (".*"|\.\.\.".*") is not valid JSON$/s, '')
      .replace(/\s*(in JSON )?at position \d+.*$/, '')
      .replace(/\s*\(line \d+ column \d+\)$/, '')
      .trim();
    return { line: before.length, column: before[before.length - 1]!.length + 1, message: message || raw };
  }
}

/**
 * Offset of the first character where `text` stops being JSON (RFC 8259), or undefined when it is JSON.
 * Only used to place an error JSON.parse already reported.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let at = 0;
  class Stop extends Error {}
  const fail = (): never => {
    throw new Stop();
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const literal = (word: string) => {
    for (const ch of word) if (text[at++] !== ch) (at--, fail());
  };
  const string = () => {
    at++; // opening quote
    for (;;) {
      const ch = text[at];
      if (ch === undefined || ch < ' ') fail();
      if (ch === '"') return void at++;
      if (ch === '\\') {
        const next = text[at + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) (at++, fail());
          at += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) at += 2;
        else (at++, fail());
      } else at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match || !match[0] || match[0] === '-') fail();
    at += match![0].length;
  };
  const value = (): void => {
    space();
    const ch = text[at];
    if (ch === '{') {
      at++;
      space();
      if (text[at] === '}') return void at++;
      for (;;) {
        space();
        if (text[at] !== '"') fail();
        string();
        space();
        if (text[at] !== ':') fail();
        at++;
        value();
        space();
        if (text[at] === ',') at++;
        else if (text[at] === '}') return void at++;
        else fail();
      }
    }
    if (ch === '[') {
      at++;
      space();
      if (text[at] === ']') return void at++;
      for (;;) {
        value();
        space();
        if (text[at] === ',') at++;
        else if (text[at] === ']') return void at++;
        else fail();
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    fail();
  };
  try {
    value();
    space();
    return at < text.length ? at : undefined;
  } catch (error) {
    if (error instanceof Stop) return Math.min(at, text.length);
    throw error;
  }
}

function codeFrame(text: string, line: number, column: number): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let n = Math.max(1, line - 2); n <= Math.min(lines.length, line); n++) {
    out.push(`  ${n === line ? '>' : ' '} ${String(n).padStart(3)} | ${lines[n - 1]}`);
  }
  out.push(`        | ${' '.repeat(Math.max(0, column - 1))}^`);
  return out.join('\n');
}

function indent(text: string | undefined): string | undefined {
  return text ? text.replace(/\n$/, '').split('\n').map((line) => `  ${line}`).join('\n') : undefined;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').find((line) => line.trim() !== '') ?? message;
}
