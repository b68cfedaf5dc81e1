import { describe, expect, it } from 'vitest';
import { backupVerdicts, vouchedFor, type BackupEntryFields } from '../../src/backup/backup-verdicts.js';

/** Which backups the log vouches for: the one rule of the gate, restore, rollback, dry-run and safe-migrate. */
const FP = 'db-fingerprint';
const taken = (extra: Partial<BackupEntryFields> = {}): BackupEntryFields => ({ event: 'backup', backupId: 'b1', fingerprint: FP, sha256: 'aaa', ...extra });
const verified = (extra: Partial<BackupEntryFields> = {}): BackupEntryFields => ({ event: 'verified', backupId: 'b1', sha256: 'aaa', level: 'schema-equal', ...extra });
const failed: BackupEntryFields = { event: 'failed', backupId: 'b1' };
const pruned: BackupEntryFields = { event: 'pruned', backupId: 'b1' };

const CASES: Array<[string, BackupEntryFields[], boolean]> = [
  ['taken, then verified by a restore', [taken(), verified()], true],
  ['adopted on the record, then verified', [taken({ event: 'adopted' }), verified()], true],
  ['verified again after a failure', [taken(), verified(), failed, verified()], true],
  ['content-equal and restorable levels count too', [taken(), verified({ level: 'restorable' })], true],
  // not vouched for
  ['taken, never verified', [taken()], false],
  ['verified other bytes (another sha256)', [taken(), verified({ sha256: 'bbb' })], false],
  ['a verification that names no sha256', [taken(), verified({ sha256: undefined })], false],
  ['verified only by checksum and decode', [taken(), verified({ level: 'intact' })], false],
  ['a failure after the verification', [taken(), verified(), failed], false],
  ['pruned after the verification', [taken(), verified(), pruned], false],
  ['pruned, then "verified" again', [taken(), pruned, verified()], false],
  ['verified before the log recorded taking it', [verified(), taken()], false],
  ['verified, never recorded (a copied-in manifest)', [verified()], false],
  ['recorded for another database', [taken({ fingerprint: 'other' }), verified()], false],
];

describe('the log vouches for a backup', () => {
  for (const [what, entries, expected] of CASES) {
    it(`${expected ? 'vouched' : 'not vouched'}: ${what}`, () => expect(vouchedFor(backupVerdicts(entries, FP).get('b1'))).toBe(expected));
  }

  it('says why a verification did not count', () => {
    expect(backupVerdicts([taken(), verified({ level: 'intact' })], FP).get('b1')).toMatchObject({ weakLevel: 'intact', failed: false });
    expect(backupVerdicts([taken(), verified(), failed], FP).get('b1')).toMatchObject({ failed: true, verified: undefined });
  });
});
