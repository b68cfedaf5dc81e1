/**
 * Which functions of a migration run only on rollback. One rule for every host language (Alembic,
 * Rails, Knex/TypeORM/Sequelize): a function is down-only when it is reachable from a rollback entry
 * point (`downgrade`, `down`) and NOT from a forward one (`upgrade`, `up`, `change`, module-level code).
 *
 * Reachable means "mentioned in the body", not only "called": a helper passed by reference
 * (`run_callable(helper)`, `knex.transaction(helper)`, `send(:helper)`) runs too, and a helper wrongly
 * kept forward is only judged more strictly. Names decide nothing by themselves: a helper called
 * `downgrade_users` that `upgrade()` calls is forward, and so is `downgrade()` when `upgrade()` calls it.
 */

export interface FunctionBody {
  name: string;
  /** Every name mentioned in the body (calls, references, symbols, strings naming a function). */
  mentions: Iterable<string>;
}

export interface EntryPoints {
  /** Forward entry points (`upgrade`, `up`, `change`) and names mentioned by code that runs on load. */
  up: Iterable<string>;
  /** Rollback entry points (`downgrade`, `down`). */
  down: Iterable<string>;
}

/**
 * The names of functions that run only on rollback. A name defined twice is the union of its bodies
 * (the reader cannot tell which one runs, so both are followed).
 */
export function downOnlyFunctions(bodies: Iterable<FunctionBody>, entries: EntryPoints): Set<string> {
  const graph = new Map<string, Set<string>>();
  for (const body of bodies) {
    const edges = graph.get(body.name) ?? new Set<string>();
    for (const name of body.mentions) edges.add(name);
    graph.set(body.name, edges);
  }
  const reach = (roots: Iterable<string>): Set<string> => {
    const seen = new Set<string>();
    const todo = [...roots];
    while (todo.length) {
      const name = todo.pop()!;
      if (seen.has(name) || !graph.has(name)) continue;
      seen.add(name);
      for (const next of graph.get(name)!) if (!seen.has(next)) todo.push(next);
    }
    return seen;
  };
  const fromUp = reach(entries.up);
  return new Set([...reach(entries.down)].filter((name) => !fromUp.has(name)));
}

/**
 * Names a string mentions as a family of functions: Alembic's multi-database template calls
 * `globals()["downgrade_%s" % engine_name]()`, which reaches every `downgrade_<engine>` function.
 * A string that is itself a function's name mentions that function (`send("drop_legacy")`).
 */
export function namesInString(text: string, defined: Iterable<string>): string[] {
  const prefix = /^([A-Za-z_]\w*?)(%s|\{[^}]*\})$/.exec(text)?.[1];
  const out: string[] = [];
  for (const name of defined) {
    if (name === text || (prefix && name.startsWith(prefix) && name.length > prefix.length)) out.push(name);
  }
  return out;
}
