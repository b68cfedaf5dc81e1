/**
 * Policy cost against reading: CPU time of evaluate() (rules, protected matching, markers, severity)
 * on the operations of a generated PostgreSQL migration, against readSql() on the same text, in one run.
 * Two corpora: "destructive" (every statement destroys something, a marker every 10 statements) and
 * "mixed" (1 statement in 10 destroys something, as in real migration histories).
 * Run: node bench/policy.mjs [statements=40000]   (bundles this file like the build does)
 */
import { parseConfig } from '../src/config/load.js';
import { evaluate } from '../src/policy/evaluate.js';
import { readSql } from '../src/sql/index.js';

const statements = Number(process.argv[2] ?? 40_000);

function corpus(destructiveEvery: number): string {
  const parts: string[] = [];
  for (let i = 0; i < statements; i++) {
    if (i % destructiveEvery !== 0) {
      parts.push(`CREATE TABLE t${i} (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now());`);
      continue;
    }
    const n = i / destructiveEvery;
    // a marker every 10th destructive statement; a third of the tables match a protected glob
    if (n % 10 === 0) parts.push(`-- dbsafe:allow drop-table(t${i}_audit) -- generated for the benchmark run`);
    parts.push(n % 3 === 0 ? `DROP TABLE t${i}_audit;` : n % 3 === 1 ? `ALTER TABLE t${i} DROP COLUMN c${i}, DROP COLUMN d${i};` : `TRUNCATE t${i};`);
  }
  return parts.join('\n') + '\n';
}

// CPU time (user + system), not wall time: on a shared machine wall time mostly measures the neighbours.
function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const config = parseConfig({ protected: ['*_audit', 'auth.*'] }, 'bench');
for (const [name, every] of [['destructive', 1], ['mixed', 10]] as const) {
  const text = corpus(every);
  // Best of 3 for the baseline and best of 5 for the policy, so neither side pays the warm-up.
  let operations: Awaited<ReturnType<typeof readSql>> = [];
  let readMs = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.cpuUsage();
    operations = await readSql(text, { path: 'bench.sql', dialect: 'postgres' });
    readMs = Math.min(readMs, cpuMs(start));
  }
  let evaluateMs = Infinity;
  let result: ReturnType<typeof evaluate> | undefined;
  for (let i = 0; i < 6; i++) {
    const start = process.cpuUsage();
    result = evaluate([{ path: 'bench.sql', text, operations }], config);
    if (i > 0) evaluateMs = Math.min(evaluateMs, cpuMs(start));
  }
  console.log(
    JSON.stringify({
      corpus: name,
      bytes: text.length,
      operations: operations.length,
      findings: result!.findings.length,
      overridesUsed: result!.overridesUsed.length,
      readSqlCpuMs: Math.round(readMs),
      evaluateCpuMs: Math.round(evaluateMs),
      ratio: +(evaluateMs / readMs).toFixed(3),
    }),
  );
}
