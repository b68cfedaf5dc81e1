/** `DBSAFE_TRACE=1` prints elapsed milliseconds per phase on stderr (for benchmarks and slow-run reports). */
export function trace(label: string): void {
  if (process.env.DBSAFE_TRACE) process.stderr.write(`[trace ${String(Math.round(process.uptime() * 1000)).padStart(6)} ms] ${label}\n`);
}
