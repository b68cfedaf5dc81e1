/**
 * Migration globs match file EXTENSIONS case-insensitively: `005_UP.SQL` and `006_drop.sqL` are
 * migrations under `db/migrations/*.sql`, because editors, Windows tools and case-insensitive file
 * systems (macOS, Windows) write extensions in any case and migration runners read them all.
 * Directory names keep their case (git and Linux file systems are case-sensitive; a differently
 * cased directory is a different directory there). docs/configuration.md, "Migration globs".
 *
 * Implemented by rewriting the glob, so picomatch and git's `:(glob)` pathspecs (the shell
 * pre-filter) agree exactly: every ASCII letter after the last dot of the last path segment becomes
 * a bracket class, `*.sql` → `*.[sS][qQ][lL]`. Letters inside an existing bracket class are left as
 * written; letters inside braces / extglobs after the dot are folded too (`*.{sql,py}`).
 */
export function foldExtensionCase(glob: string): string {
  const slash = glob.lastIndexOf('/');
  const segment = glob.slice(slash + 1);
  const dot = lastDotOutsideClass(segment);
  if (dot < 0) return glob;
  let out = '';
  let inClass = false;
  for (let index = dot + 1; index < segment.length; index++) {
    const char = segment[index]!;
    if (char === '\\') {
      out += segment.slice(index, index + 2);
      index++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      out += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      continue;
    }
    const lower = char.toLowerCase();
    const upper = char.toUpperCase();
    out += /[a-z]/i.test(char) && lower !== upper ? `[${lower}${upper}]` : char;
  }
  return glob.slice(0, slash + 1) + segment.slice(0, dot + 1) + out;
}

/** Index of the last `.` that is neither escaped nor inside a `[...]` class, or -1. */
function lastDotOutsideClass(segment: string): number {
  let last = -1;
  let inClass = false;
  for (let index = 0; index < segment.length; index++) {
    const char = segment[index];
    if (char === '\\') {
      index++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      continue;
    }
    if (char === '[') inClass = true;
    else if (char === '.') last = index;
  }
  return last;
}
