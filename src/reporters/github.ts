import { sortFindings, summarize, type ReportInput } from './types.js';

/**
 * `--format github`: workflow commands that GitHub Actions turns into annotations on the diff
 * (`::error file=…,line=…,col=…,title=…::message`). Overrides used become notices so reviewers
 * see them on the pull request.
 */
export function* githubReport(result: ReportInput): Generator<string> {
  for (const f of sortFindings(result.findings)) {
    const level = f.severity === 'error' ? 'error' : 'warning';
    const message = [f.message, f.help, f.docs].filter(Boolean).join('\n');
    yield `::${level} file=${property(f.file)},line=${f.line},col=${f.column},title=${property(`dbsafe ${f.rule}`)}::${data(message)}\n`;
  }
  for (const o of result.overridesUsed) {
    const what = o.object ? `${o.rule}(${o.object})` : o.rule;
    yield `::notice file=${property(o.file)},line=${o.line},title=${property(`dbsafe override ${what}`)}::${data(`Override used: ${what} -- ${o.reason}`)}\n`;
  }
  const s = summarize(result);
  yield `dbsafe-hooks: ${s.errors} error(s), ${s.warnings} warning(s) in ${s.files} file(s); ${s.overrides} override(s) used${s.errors ? ': blocked' : ''}\n`;
}

/** Escaping of the message part of a workflow command. */
export function data(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping of a property value (file names may contain `,` or `:`). */
export function property(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
