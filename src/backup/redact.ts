/**
 * Redaction: nothing printed or stored may contain a password. Applied to URLs we record and to
 * every line of child stderr we show (pg_dump and mysqldump can echo connection strings).
 */

const SENSITIVE_PARAMS = /^(password|pass|pwd|sslpassword|sslkey|sslcert|passfile|token|secret|api[_-]?key)$/i;

/** `postgres://user:secret@host/db?sslpassword=x` → `postgres://user:***@host/db?sslpassword=***`. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return redactText(raw);
  }
  if (url.password) url.password = '***';
  for (const key of [...url.searchParams.keys()]) {
    if (SENSITIVE_PARAMS.test(key)) url.searchParams.set(key, '***');
  }
  return url.toString().replace('%2A%2A%2A', '***');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Remove every `scheme://user:password@`, `password=…` and every known secret from free text. */
export function redactText(text: string, secrets: Array<string | undefined> = []): string {
  let out = text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@')
    .replace(/\b(password|pwd|sslpassword)\s*=\s*('[^']*'|"[^"]*"|[^\s&;]+)/gi, '$1=***');
  for (const secret of secrets) {
    if (!secret || secret.length < 1) continue;
    out = out.replace(new RegExp(escapeRegExp(secret), 'g'), '***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.replace(new RegExp(escapeRegExp(encoded), 'g'), '***');
  }
  return out;
}

/**
 * A command line as it may be printed or logged: URLs' passwords (redactText) and the values of
 * secret-looking environment assignments (`PGPASSWORD=…`, `API_TOKEN=…`, `MYSQL_PWD=…`) hidden.
 */
export function redactCommandLine(line: string): string {
  return redactText(line).replace(/\b([A-Za-z_][A-Za-z0-9_]*(?:PASSWORD|PASSWD|PASS|PWD|TOKEN|SECRET|KEY)[A-Za-z0-9_]*)=('[^']*'|"[^"]*"|\S+)/gi, '$1=***');
}
