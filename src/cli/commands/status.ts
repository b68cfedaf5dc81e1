import { existsSync, statSync } from 'node:fs';
import { backupContext } from '../../backup/context.js';
import { ConfigError, UsageError } from '../../errors.js';
import { formatAge, formatBytes } from '../../backup/format.js';
import { defaultInstanceName } from '../../backup/instances.js';
import { readLog } from '../../backup/log.js';
import { witnessWarnings } from '../../backup/log-witness.js';
import { listBackups } from '../../backup/store.js';
import { activeWaivers } from '../../gate/decide.js';
import { gateNow } from '../../gate/evidence.js';
import { waiverText } from '../../gate/messages.js';
import { palette, useColor } from '../../util/palette.js';

interface Options {
  json?: boolean;
  all?: boolean;
  config?: string;
}

/**
 * `dbsafe-hooks status [instance | --all] [--json]`: per instance, the latest backup, whether it is verified,
 * its age; and the chain. Every configured instance unless one is named.
 */
export async function run(instance: string | undefined, options: Options): Promise<number> {
  if (instance !== undefined && options.all) throw new UsageError(`status ${instance} --all: name one instance or ask for --all, not both`);
  const context = await backupContext(options);
  const configured = Object.keys(context.config.databases);
  if (instance !== undefined && !configured.includes(instance)) {
    throw new ConfigError(`No database instance "${instance}" in the configuration`, {
      hint: configured.length ? `Configured instances: ${configured.join(', ')} (or --all for every one).` : 'Add it under "databases" in the configuration.',
    });
  }
  const log = await readLog(context.logPath);
  const now = Date.now();
  const defaultName = (() => {
    try {
      return defaultInstanceName(context.config);
    } catch {
      return undefined;
    }
  })();
  const instances = configured.filter((name) => instance === undefined || name === instance).map((name) => {
    const backups = listBackups(context.backupRoot, name);
    const latest = backups[0];
    const entries = log.entries.filter((e) => e.instance === name);
    const verifiedIds = new Set(entries.filter((e) => e.event === 'verified').map((e) => String(e.backupId)));
    const failedIds = new Set(entries.filter((e) => e.event === 'failed').map((e) => String(e.backupId)));
    const latestVerified = backups.find((b) => verifiedIds.has(b.id));
    const restore = entries.filter((e) => e.event === 'restore').pop();
    const artifactOk = (b: typeof latest) => {
      if (!b) return false;
      const file = `${b.dir}/${b.manifest.artifact.file}`;
      return existsSync(file) && statSync(file).size === b.manifest.artifact.bytes;
    };
    return {
      instance: name,
      default: name === defaultName,
      backups: backups.length,
      latest: latest && {
        id: latest.id,
        takenAt: latest.manifest.snapshot.takenAt,
        ageMs: now - Date.parse(latest.manifest.snapshot.takenAt),
        bytes: latest.manifest.artifact.bytes,
        verified: verifiedIds.has(latest.id),
        failedVerify: failedIds.has(latest.id),
        artifactPresent: artifactOk(latest),
      },
      lastRestore: restore && {
        backupId: String(restore.backupId),
        at: restore.ts,
        ageMs: now - Date.parse(restore.ts),
        result: String(restore.result),
        safetyBackupId: restore.safetyBackupId ? String(restore.safetyBackupId) : null,
      },
      latestVerified: latestVerified && { id: latestVerified.id, takenAt: latestVerified.manifest.snapshot.takenAt, ageMs: now - Date.parse(latestVerified.manifest.snapshot.takenAt) },
    };
  });
  // waivers of the pre-push gate in force (only an intact log's count, as in the gate)
  const waivers = log.chain.ok ? activeWaivers(log.entries, gateNow()) : [];
  const lastSeq = log.entries[log.entries.length - 1]?.seq ?? 0;
  const witnesses = log.chain.ok ? witnessWarnings(log.witnesses, lastSeq) : [];
  const result = { logPath: context.logPath, chain: log.chain, witnesses: log.witnesses, warnings: witnesses, instances, waivers };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return log.chain.ok ? 0 : 1;
  }
  const c = palette(useColor());
  const lines: string[] = [];
  if (!instances.length) lines.push('no database instance configured (config key "databases")');
  for (const i of instances) {
    lines.push(`${c.bold(i.instance)}${i.default ? c.dim(' (default)') : ''}: ${i.backups} backup${i.backups === 1 ? '' : 's'}`);
    if (!i.latest) {
      lines.push(`  no backup yet: ${c.cyan(`npx dbsafe-hooks backup ${i.instance} --verify`)}`);
      continue;
    }
    const verified = i.latest.verified ? c.green('verified') : i.latest.failedVerify ? c.red('verify FAILED') : c.yellow('not verified');
    lines.push(`  latest    ${i.latest.id}  ${formatAge(i.latest.ageMs)}  ${formatBytes(i.latest.bytes)}  ${verified}${i.latest.artifactPresent ? '' : c.red('  artifact missing or resized')}`);
    if (i.latestVerified && i.latestVerified.id !== i.latest.id) lines.push(`  verified  ${i.latestVerified.id}  ${formatAge(i.latestVerified.ageMs)}`);
    if (i.lastRestore) {
      const r = i.lastRestore;
      const safety = r.safetyBackupId ? `  (safety ${r.safetyBackupId})` : '';
      lines.push(`  ${r.result === 'restored' ? 'restored' : c.red('restore FAILED')}  ${r.backupId}  ${formatAge(r.ageMs)}${safety}`);
    }
  }
  for (const waiver of waivers) lines.push(c.yellow(`backup gate WAIVED: ${waiverText(waiver)}`));
  lines.push(log.chain.ok ? c.green(`log chain intact (${log.entries.length} entries)`) : c.red(`log CHAIN BROKEN at line ${log.chain.brokenAt}: ${log.chain.reason}`));
  for (const warning of witnesses) lines.push(c.yellow(`warning: ${warning}`));
  process.stdout.write(`${lines.join('\n')}\n`);
  return log.chain.ok ? 0 : 1;
}
