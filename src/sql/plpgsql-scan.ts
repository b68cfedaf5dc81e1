/**
 * Our own cheap scan of a PL/pgSQL body (no parser): statement by statement, past control flow, with the
 * recognizer. The full reader (plpgsql.ts) asks it whether a body must be parsed at all and reads a body the
 * PL/pgSQL parser rejects with it; the parser-free subset asks the same first question (loaded only for a
 * file with a DO block, so a hook's plain migration does not load the recognizer).
 */
import { ACTING_CALL, MAY_DESTROY } from './pg-ops.js';
import { stripControlFlow, Recognizer, type FoundOp } from './recognize.js';
import { splitSql, type SqlStatement } from './split.js';
import { tokenize, type Token } from './tokens.js';

/** A body only the PL/pgSQL parser's reading judges: EXECUTE, COPY … PROGRAM or an acting call. */
export const PARSED_BODY = new RegExp(`\\b(?:execute|program)\\b|${ACTING_CALL.source}`, 'i');

/**
 * Whether a plpgsql body that may destroy (MAY_DESTROY) must be read: our scan is much cheaper than the
 * PL/pgSQL parser, so when it finds nothing destructive and the body holds nothing only the parser's
 * reading judges, the body cannot hold an operation. The parser-free subset asks the same question.
 */
export function bodyMayAct(body: string): boolean {
  if (PARSED_BODY.test(body)) return true;
  for (const found of scanBody(body)) if (found.kind !== 'ops' || found.ops.length > 0 || found.parserJudges) return true;
  return false;
}

/** What our own scan finds in one statement of a body, past its control flow (`head` is its first word after it). */
export type Scanned = { st: SqlStatement; head: Token } & (
  | { kind: 'call' } // PERFORM / RETURN of an acting call
  | { kind: 'execute'; toks: Token[]; from: number }
  | { kind: 'program' } // COPY … PROGRAM
  | { kind: 'unknown' } // a destructive word the recognizer cannot read: never silenced
  | { kind: 'ops'; ops: FoundOp[]; parserJudges?: boolean } // parserJudges: ops or not, only the parse tree decides
);

/** First words of the statements our recognizer reads whole (what may destroy in any other is the parser's). */
const RECOGNIZED_HEADS = new Set(['DELETE', 'UPDATE', 'INSERT', 'DROP', 'ALTER', 'TRUNCATE', 'CREATE', 'COMMENT', 'GRANT', 'REVOKE']);

/** Our own scan of a body: statement by statement, past control flow (IF … THEN, LOOP, labels). */
export function* scanBody(body: string): Generator<Scanned> {
  for (const st of splitSql(body, 'postgres').statements) {
    if (!MAY_DESTROY.test(st.text)) continue;
    const toks = tokenize(st.text, 'postgres');
    const from = stripControlFlow(toks, 0, toks.length);
    // a query in the control flow (FOR r IN DELETE … LOOP) is the parser's to read
    const inHeader = toks.slice(0, from).some((t) => t.type === 'word' && MAY_DESTROY.test(t.value));
    if (from >= toks.length) {
      if (inHeader) yield { kind: 'unknown', st, head: toks[0]! };
      continue;
    }
    const head: Token = toks[from];
    if (head.type === 'word' && (head.upper === 'EXECUTE' || head.upper === 'PERFORM' || head.upper === 'RETURN')) {
      if (head.upper === 'EXECUTE') yield { kind: 'execute', st, head, toks, from };
      else if (ACTING_CALL.test(st.text)) yield { kind: 'call', st, head };
      // RETURN QUERY DELETE …, PERFORM of a word that may destroy: the parser's reading decides
      else yield { kind: 'unknown', st, head };
      continue;
    }
    const piece = st.text.slice(head.start);
    // the SQL reader judges COPY … PROGRAM (a shell command): our recognizer does not read COPY
    if (head.type === 'word' && head.upper === 'COPY' && /\bprogram\b/i.test(piece)) {
      yield { kind: 'program', st, head };
      continue;
    }
    // the recognizer reads one plain statement: another first word (OPEN … FOR, SELECT, RAISE) or a WITH (a
    // data-modifying CTE) is the parser's to read; so is whether a DELETE / UPDATE's WHERE selects every row (on
    // the parse tree: a subquery that does not read the row), though our reading stands when the parser fails
    if (inHeader || !RECOGNIZED_HEADS.has(head.upper) || toks.some((t) => t.type === 'word' && t.upper === 'WITH')) {
      yield { kind: 'unknown', st, head };
      continue;
    }
    const rec = new Recognizer(piece, 'postgres').recognize(tokenize(piece, 'postgres'));
    const where = (head.upper === 'DELETE' || head.upper === 'UPDATE') && toks.some((t, k) => k > from && t.type === 'word' && t.upper === 'WHERE');
    yield rec.status === 'unknown' ? { kind: 'unknown', st, head } : { kind: 'ops', st, head, ops: rec.ops, parserJudges: where };
  }
}
