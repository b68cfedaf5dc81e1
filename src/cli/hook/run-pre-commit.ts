import { useColor } from '../../util/palette.js';
import { runCheck } from '../../check/run-check.js';
import { gitText } from '../../git/exec-git.js';
import { textReport } from '../../reporters/text.js';
import { isAmendCommit } from './amend.js';
import { gitDirsFromDisk, hookConfig } from '../../config/cached.js';
import { pathspecsFor } from '../../config/pathspecs.js';
import { pathspecFingerprint, renewStamp } from '../../install/prefilter.js';

/**
 * `dbsafe-hooks hook pre-commit|pre-merge-commit [files…]`: check what is staged (the index, never
 * the working tree). Files given by lint-staged or the pre-commit framework are only a filter;
 * their content still comes from the index. Report on stderr; exit 1 when an error-level finding.
 */
export async function runPreCommitHook(options: { cwd: string; files: string[]; configPath?: string; mayAmend: boolean }): Promise<number> {
  // The shim starts node only when a migration is staged: load the readers and the policy now, on
  // this core, while git runs in child processes (the check imports the same, already loaded, modules).
  for (const module of [import('../../readers/index.js'), import('../../policy/evaluate.js')]) module.catch(() => undefined);
  // `git commit --amend` is compared with HEAD's parents (cli/hook/amend.ts); started now, it overlaps git below
  const amend = options.mayAmend ? isAmendCommit() : Promise.resolve(false);
  const onDisk = gitDirsFromDisk(options.cwd);
  const [root, commonDir] = onDisk
    ? [onDisk.root, onDisk.commonDir]
    : (
        await gitText(['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir'], { cwd: options.cwd }).catch(() => '')
      ).split('\n');
  // the shim's pre-filter was stale (a config file changed since install): renew its stamp if it still fits
  const renew = root ? renewStamp(root, process.env) : undefined;
  let result: Awaited<ReturnType<typeof runCheck>>;
  try {
    const config =
      root && commonDir ? await hookConfig({ cwd: options.cwd, root, commonDir, configPath: options.configPath, writeCache: true }) : undefined;
    result = await runCheck({
      cwd: options.cwd,
      config,
      mode: { kind: 'staged', amend: await amend },
      configPath: options.configPath,
      only: options.files.length ? options.files : undefined,
    });
  } catch (e) {
    // the globs were never compared with the config: the stamp must not vouch for them (no fingerprint matches '')
    renew?.('');
    throw e;
  }
  const errors = result.findings.filter((finding) => finding.severity === 'error').length;
  if (result.findings.length || result.overridesUsed.length) {
    process.stderr.write(textReport(result, { color: useColor(process.stderr) }));
  }
  const stale = renew?.(pathspecFingerprint(pathspecsFor(result.config, '', { unmatched: true })));
  for (const note of stale ? [...result.notes, stale] : result.notes) process.stderr.write(`dbsafe-hooks: note: ${note}\n`);
  if (errors) {
    process.stderr.write(
      'dbsafe-hooks: commit blocked. Fix the migration, or approve the operation with an override marker in the file (see help above).\n',
    );
    return 1;
  }
  return 0;
}
