import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareMigrations, migrationPreflight, readMigrationFiles } from './migration-files';

describe('migration files against the target history', () => {
  it('reads only <version>_<name>.sql files, oldest first, and no folder as undefined', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infra-mig-'));
    try {
      writeFileSync(join(dir, '20261102000000_b.sql'), '');
      writeFileSync(join(dir, '20261101000000_a.sql'), '');
      writeFileSync(join(dir, 'README.md'), '');
      expect((await readMigrationFiles(dir))?.map((f) => f.name)).toEqual(['a', 'b']);
      expect(await readMigrationFiles(join(dir, 'missing'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('calls files the target has not applied pending and applied versions without a file drift', () => {
    const files = [
      { version: '20261101000000', name: 'a', file: '20261101000000_a.sql' },
      { version: '20261102000000', name: 'b', file: '20261102000000_b.sql' },
    ];
    const drift = compareMigrations(files, [
      { version: '20261101000000', name: 'a' },
      { version: '20261030000000', name: 'hotfix' },
    ]);
    expect(drift.pending.map((f) => f.file)).toEqual(['20261102000000_b.sql']);
    expect(drift.unrecorded).toEqual([{ version: '20261030000000', name: 'hotfix' }]);
  });

  it('fails the pre-flight on pending files and only warns on drift', () => {
    const [pending, drift] = migrationPreflight(
      { pending: [{ version: '1', name: 'b', file: '1_b.sql' }], unrecorded: [{ version: '2' }] },
      '/repo/supabase/migrations',
    );
    expect(pending).toMatchObject({ ok: false, detail: expect.stringContaining('1_b.sql') });
    expect(drift).toMatchObject({ ok: true, warn: true, detail: expect.stringContaining('/repo/supabase/migrations') });
  });

  it('passes when the files and the history agree, and warns when there is no folder to compare', () => {
    expect(migrationPreflight({ pending: [], unrecorded: [] }, 'dir').every((r) => r.ok && !r.warn)).toBe(true);
    expect(migrationPreflight(undefined, 'dir')).toEqual([
      expect.objectContaining({ ok: true, warn: true, detail: expect.stringContaining('INFRA_MIGRATIONS_DIR') }),
    ]);
  });
});
