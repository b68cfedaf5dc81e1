/** `dbsafe-hooks uninstall`: reverse exactly what install recorded. */
export async function run(_options: { config?: string }): Promise<number> {
  const { uninstall } = await import('../../install/uninstall.js');
  const { agentLocation, uninstallAgents } = await import('../../install/agent.js');
  const location = await agentLocation(process.cwd());
  if (location) for (const line of uninstallAgents(location.root, location.commonDir)) process.stdout.write(`${line}\n`);
  const { lines } = await uninstall(process.cwd());
  for (const line of lines) process.stdout.write(`${line}\n`);
  return 0;
}
