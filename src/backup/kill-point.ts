/**
 * Fault tests: `DBSAFE_KILL_AT_STEP=<n>` makes the process kill itself with SIGKILL as the n-th
 * progress stage of the run begins (stages as the commands announce them, nested ones included,
 * counted from 1). A kill -9 then lands between every two steps of restore, dry-run, safe-migrate
 * and migrate, and the tests check that each leaves the database as it was or restorable with the
 * printed command. Unset, this does nothing.
 */
let stages = 0;

export function killPoint(stage: string): void {
  const at = process.env.DBSAFE_KILL_AT_STEP;
  if (!at) return;
  stages += 1;
  if (stages !== Number(at)) return;
  // stderr is synchronous on a pipe or a file: the line is out before the signal lands
  process.stderr.write(`dbsafe-hooks: DBSAFE_KILL_AT_STEP=${at}: killed as "${stage}" began\n`);
  process.kill(process.pid, 'SIGKILL');
}
