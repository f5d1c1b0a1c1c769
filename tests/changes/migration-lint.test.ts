import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintChecks, lintForGate, lintMigration } from '../../src/changes/checks/migration-lint';
import { findSquawkBinary } from '../../src/changes/checks/squawk-binary';
import { ActionFailedError } from '../../src/domain/errors';

const GOOD_MIGRATION = `
create table public.todos (
  id bigint generated always as identity primary key,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  title text not null check (char_length(title) <= 200),
  created_at timestamptz not null default now()
);
alter table public.todos enable row level security;
create policy "read own todos" on public.todos for select to authenticated using ((select auth.uid()) = user_id);
create index todos_user_id_idx on public.todos (user_id);
`;

describe('lintMigration', () => {
  it('passes a well-formed Supabase migration with no findings', async () => {
    const result = await lintMigration(GOOD_MIGRATION);

    expect(result.violations).toEqual([]);
    expect(lintChecks(result)).toEqual([{ name: 'Lint (squawk): no findings', status: 'pass' }]);
  });

  it('reports the timeout rules only when they are not excluded', async () => {
    const result = await lintMigration(GOOD_MIGRATION, { excludeRules: [] });

    expect(result.violations.map((v) => v.rule).sort()).toEqual(['require-lock-timeout', 'require-statement-timeout']);
  });

  it('flags a NOT NULL column added without a default as adding-required-field, with its 1-based position', async () => {
    const result = await lintMigration('-- add a column\nalter table t add column c bigint not null;');

    expect(result.violations).toEqual([
      expect.objectContaining({
        rule: 'adding-required-field',
        level: 'warning',
        line: 2,
        column: 15,
        help: 'Make the field nullable or add a non-VOLATILE DEFAULT',
      }),
    ]);
    expect(lintChecks(result)).toEqual([
      {
        name: 'Lint (squawk): adding-required-field',
        status: 'warn',
        detail: expect.stringContaining('(line 2) — Make the field nullable'),
      },
    ]);
  });

  it('flags an index built without concurrently on an existing table as require-concurrent-index-creation', async () => {
    const result = await lintMigration('create index t_c_idx on t (c);');

    expect(result.violations.map((v) => v.rule)).toEqual(['require-concurrent-index-creation']);
  });

  it('reports invalid SQL as a syntax error that fails the check', async () => {
    const result = await lintMigration('create tabel t (id int);');

    expect(result.violations.length).toBeGreaterThan(0);
    expect(result.violations.every((v) => v.rule === 'syntax-error' && v.level === 'error')).toBe(true);
    const [check] = lintChecks(result);
    expect(check).toMatchObject({ name: 'Lint (squawk): syntax-error', status: 'fail' });
    expect(check!.detail).toContain('the SQL does not parse; fix it before it is applied');
  });

  it('lists each rule once with every line it was found on', async () => {
    const result = await lintMigration('alter table a add column x int;\nalter table b add column y int;', {
      assumeInTransaction: false,
    });

    const checks = lintChecks(result);
    expect(checks.map((c) => c.name).sort()).toEqual([
      'Lint (squawk): prefer-bigint-over-int',
      'Lint (squawk): prefer-robust-stmts',
    ]);
    expect(checks.every((c) => c.status === 'warn' && c.detail?.includes('(lines 1, 2)'))).toBe(true);
  });

  it('refuses a rule name squawk does not know, saying what to check', async () => {
    await expect(lintMigration('select 1;', { excludeRules: ['no-such-rule'] })).rejects.toThrow(
      /squawk refused to run .*no-such-rule.*Check the excluded rule names/s,
    );
  });

  describe('with a broken squawk', () => {
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'squawk-'));
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('raises a non-retryable error that says how to install squawk when the binary is missing', async () => {
      const error = await lintMigration('select 1;', { binary: join(dir, 'squawk') }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ActionFailedError);
      expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('Install squawk-cli') });
    });

    it('makes the lint a warning that says why, never a failure, when the binary is missing', async () => {
      const linted = await lintForGate('drop table t;', { binary: join(dir, 'squawk') });

      expect(linted.violations).toBeUndefined();
      expect(linted.checks).toEqual([
        {
          name: 'Lint (squawk): not run',
          status: 'warn',
          detail: `${join(dir, 'squawk')} does not exist; the migration was not linted — read it yourself before approving`,
        },
      ]);
    });

    it('makes the lint a warning when the binary is not executable or cannot be run on this machine', async () => {
      const plain = join(dir, 'squawk');
      writeFileSync(plain, '#!/bin/sh\necho []\n');
      chmodSync(plain, 0o644);
      expect((await lintForGate('select 1;', { binary: plain })).checks[0]).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining(`${plain} is not executable (EACCES)`),
      });

      const foreign = join(dir, 'squawk-other-arch');
      writeFileSync(foreign, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0, 0, 0, 0, 0]));
      chmodSync(foreign, 0o755);
      expect((await lintForGate('select 1;', { binary: foreign })).checks[0]).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining(`cannot run ${foreign} (`),
      });
    });

    it('raises a non-retryable error when squawk prints something that is not its JSON', async () => {
      const fake = join(dir, 'squawk');
      writeFileSync(fake, '#!/bin/sh\ncat > /dev/null\necho "Found 0 issues"\nexit 1\n');
      chmodSync(fake, 0o755);

      const error = await lintMigration('select 1;', { binary: fake }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ActionFailedError);
      expect(error).toMatchObject({
        retryable: false,
        message: expect.stringContaining('not JSON ("Found 0 issues")'),
      });
    });

    it('kills squawk and raises a retryable error when it does not answer in time', async () => {
      const fake = join(dir, 'squawk');
      writeFileSync(fake, '#!/bin/sh\nexec sleep 5\n');
      chmodSync(fake, 0o755);

      await expect(lintMigration('select 1;', { binary: fake, timeoutMs: 200 })).rejects.toMatchObject({
        retryable: true,
      });
    });
  });
});

describe('findSquawkBinary', () => {
  it('finds the binary squawk-cli installed for this platform', () => {
    const found = findSquawkBinary();
    expect(found).toMatchObject({
      ok: true,
      path: expect.stringMatching(/@squawk-cli[\\/][a-z0-9]+-[a-z0-9]+[\\/]bin[\\/]squawk/),
    });
  });

  it('says which platforms squawk ships for when this one is not among them', () => {
    expect(findSquawkBinary('sunos', 'x64')).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^squawk 2\.\d+\.\d+ has no binary for sunos-x64 \(it ships .*darwin-arm64.*linux-arm64.*\)$/,
      ),
    });
  });

  it('says how to install the binary of a supported platform when it is missing', () => {
    const other = process.platform === 'darwin' ? ['linux', 'arm64'] : ['darwin', 'arm64'];
    expect(findSquawkBinary(other[0], other[1])).toEqual({
      ok: false,
      reason: `@squawk-cli/${other[0]}-${other[1]} is not installed: reinstall with optional dependencies (\`npm ci --include=optional\`)`,
    });
  });
});
