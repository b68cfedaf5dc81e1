import { palette, type Palette } from '../util/palette.js';
import type { Finding, UsedOverride } from '../model/finding.js';
import { sortFindings, summarize, type ReportInput, type ReportOptions } from './types.js';

/**
 * Human output. Per finding: `file:line:col  severity rule  message`, the source line(s) with a caret
 * under the operation, help and docs link. Then every override used (reviewers must see them), and
 * a summary line with counts and how to override. Pure: colours only when asked.
 */
export function textReport(result: ReportInput, options: ReportOptions = {}): string {
  return [...textReportPieces(result, options)].join('');
}

/** The same text, one piece per finding (a report of thousands of findings is never one big string). */
export function* textReportPieces(result: ReportInput, options: ReportOptions = {}): Generator<string> {
  const c = palette(Boolean(options.color));
  for (const finding of sortFindings(result.findings)) {
    yield `${findingBlock(finding, result.sources?.get(finding.file), c).join('\n')}\n\n`;
  }
  const out: string[] = [];
  if (result.overridesUsed.length) {
    out.push(c.bold(`Overrides used (${result.overridesUsed.length}):`));
    for (const override of result.overridesUsed) out.push(`  ${overrideLine(override, c)}`);
    out.push('');
  }
  out.push(...summaryLines(result, c));
  yield `${out.join('\n')}\n`;
}

function findingBlock(finding: Finding, source: string | undefined, c: Palette): string[] {
  const colour = finding.severity === 'error' ? c.red : c.yellow;
  const lines = [`${c.bold(`${displayPath(finding.file)}:${finding.line}:${finding.column}`)}  ${colour(`${finding.severity} ${finding.rule}`)}  ${finding.message}`];
  lines.push(...snippet(finding, source, c));
  if (finding.help) lines.push(`  ${c.cyan('help:')} ${indentRest(finding.help, '        ')}`);
  if (finding.docs) lines.push(`  ${c.dim(`docs: ${finding.docs}`)}`);
  return lines;
}

const MAX_CONTEXT_LINES = 3;
const MAX_WIDTH = 160;

/** The statement lines up to the operation's line, with a caret under its column. */
export function snippet(finding: Pick<Finding, 'line' | 'column' | 'statement' | 'statementLine'>, source: string | undefined, c: Palette): string[] {
  const fileLines = source !== undefined ? sourceLines(source, finding.line) : undefined;
  let shown: Array<{ number: number; text: string }>;
  if (fileLines && fileLines.length >= finding.line) {
    const first = Math.max(finding.statementLine ?? finding.line, finding.line - MAX_CONTEXT_LINES + 1, 1);
    shown = [];
    for (let n = first; n <= finding.line; n++) shown.push({ number: n, text: fileLines[n - 1] ?? '' });
  } else if (finding.statement && finding.statementLine === finding.line) {
    // no source: the statement's first line is the best we have (its column is unknown: no caret)
    const first = finding.statement.split('\n')[0] ?? '';
    return first ? [`  ${c.dim(`${finding.line} |`)} ${first}`] : [];
  } else {
    return [];
  }
  if (shown.every((line) => line.text.trim() === '')) return [];
  const width = String(finding.line).length;
  const out: string[] = [];
  for (const [index, line] of shown.entries()) {
    const isTarget = index === shown.length - 1;
    const { text, caret } = window(line.text, isTarget ? finding.column : 1);
    out.push(`  ${c.dim(`${String(line.number).padStart(width)} |`)} ${text}`);
    if (isTarget) out.push(`  ${c.dim(`${' '.repeat(width)} |`)} ${caret}${c.red('^')}`);
  }
  return out;
}

/** Only the lines up to `upTo` are split (a 30 MB file with a finding on line 3 stays cheap). */
function sourceLines(source: string, upTo: number): string[] {
  const lines: string[] = [];
  let start = 0;
  // a line ends at LF, CRLF or a lone CR, as the readers count lines
  const lineBreak = /\r\n?|\n/g;
  while (lines.length < upTo) {
    const m = lineBreak.exec(source);
    if (!m) {
      lines.push(source.slice(start));
      break;
    }
    lines.push(source.slice(start, m.index));
    start = m.index + m[0].length;
  }
  return lines;
}

/** Cut long lines around the column; the caret prefix keeps tabs so it lines up in a terminal. */
function window(text: string, column: number): { text: string; caret: string } {
  let shown = text;
  let col = Math.max(1, column);
  if (text.length > MAX_WIDTH) {
    const start = Math.max(0, Math.min(col - 1 - 40, text.length - MAX_WIDTH));
    shown = (start > 0 ? '…' : '') + text.slice(start, start + MAX_WIDTH) + (start + MAX_WIDTH < text.length ? '…' : '');
    col = col - start + (start > 0 ? 1 : 0);
  }
  const before = shown.slice(0, col - 1);
  return { text: shown, caret: before.replace(/[^\t]/g, ' ') + ' '.repeat(Math.max(0, col - 1 - before.length)) };
}

function overrideLine(override: UsedOverride, c: Palette): string {
  const what = override.object ? `${override.rule}(${override.object})` : override.rule;
  const scope = override.fileWide ? ' (whole file)' : '';
  return `${displayPath(override.file)}:${override.line}  ${c.bold(what)}${scope}  ${c.dim('--')} ${override.reason}`;
}

function summaryLines(result: ReportInput, c: Palette): string[] {
  const s = summarize(result);
  const counts = `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')} in ${plural(s.files, 'migration file')} (${plural(s.operations, 'operation')} checked)${s.overrides ? `; ${plural(s.overrides, 'override')} used` : ''}`;
  if (s.errors === 0) {
    const mark = s.warnings ? c.yellow('⚠') : c.green('✔');
    return [`${mark} dbsafe-hooks: ${counts}`];
  }
  const lines = [`${c.red('✖')} dbsafe-hooks: ${counts}: blocked`];
  const example = sortFindings(result.findings).find((f) => f.severity === 'error' && f.marker !== undefined)?.marker;
  if (example) {
    lines.push(
      '  If this is intended, put an override marker with a reason on the line above the operation, e.g.',
      `    ${example}`,
      '  (a protected object must be named in the marker; every override is listed in the output).',
    );
  }
  return lines;
}

/** Paths may contain newlines or other control characters (git allows them): show them escaped. */
export function displayPath(file: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(file) ? JSON.stringify(file) : file;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function indentRest(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}
