/** `dbsafe-hooks uninstall`: reverse exactly what install recorded. */
export async function run(_options: { config?: string }): Promise<number> {
  const { uninstall } = await import('../../install/uninstall.js');
  const { lines } = await uninstall(process.cwd());
  for (const line of lines) process.stdout.write(`${line}\n`);
  return 0;
}
