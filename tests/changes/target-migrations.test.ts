import {
  mergeIntoTarget,
  revertOnTarget,
  type TargetMigrationOptions,
} from '../../src/changes/targets/target-migrations';
import { TargetApplyError } from '../../src/changes/targets/target-apply-error';
import { createTestTarget, hasTable, type TestTarget, withConnection } from './test-target';

const opts: TargetMigrationOptions = { lockTimeoutMs: 5000, statementTimeoutMs: 60_000, now: () => new Date() };

let target: TestTarget;

beforeEach(async () => {
  target = await createTestTarget();
});

afterEach(async () => {
  await withConnection(target.url, (c) => c.query(`DROP ROLE IF EXISTS ${target.name}_r`));
  await target.cleanup();
});

async function historyNames(): Promise<string[]> {
  return withConnection(target.url, async (c) => {
    const table = await c.query(`SELECT to_regclass('supabase_migrations.schema_migrations') IS NOT NULL AS found`);
    if (!table.rows[0].found) return [];
    return (await c.query('SELECT name FROM supabase_migrations.schema_migrations ORDER BY version')).rows.map(
      (r) => r.name as string,
    );
  });
}

/** The error a promise rejects with (failing the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<TargetApplyError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(TargetApplyError);
  return outcome.error as TargetApplyError;
}

async function indexIsValid(name: string): Promise<boolean | undefined> {
  return withConnection(
    target.url,
    async (c) =>
      (await c.query('SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)', [name])).rows[0]?.indisvalid,
  );
}

describe('merging into the target and reverting', () => {
  test('a COMMIT inside a migration cannot half-apply a merge: nothing is applied and the error says so', async () => {
    const error = await rejection(
      mergeIntoTarget(
        target.url,
        {
          name: 'half',
          up_sql: 'create table public.a (id int);\ncommit;\ncreate table public.b (id int);',
          down_sql: 'drop table public.b; drop table public.a;',
        },
        opts,
      ),
    );

    expect(error.applied).toBe('none');
    expect(error.ranStatements).toEqual([]);
    expect(error.message).toMatch(
      new RegExp(
        '^Merging migration half into the target failed: the policy forbids statement 2 \\(line 2\\) `commit`: ' +
          'commit is transaction control.*Nothing was run; the target is unchanged\\.$',
      ),
    );
    expect(await hasTable(target.url, 'public.a')).toBe(false);
    expect(await hasTable(target.url, 'public.b')).toBe(false);
    expect(await historyNames()).toEqual([]);
  });

  // Each attack is aimed at this test's own database and a role of its own, so that a regression
  // (the policy letting it through) cannot touch anything shared on the test server.
  test.each([
    ['COPY … TO PROGRAM', () => "copy (select 1) to program 'true';"],
    [
      'ALTER DATABASE … default_transaction_read_only',
      () => `alter database ${target.name} set default_transaction_read_only = on;`,
    ],
    ['CREATE ROLE … SUPERUSER', () => `create role ${target.name}_r superuser login;`],
    [
      'pg_read_binary_file in a DEFAULT',
      () => "create table public.c (b bytea default pg_read_binary_file('global/pg_control'));",
    ],
  ])('a merge called directly refuses %s before anything runs', async (_label, sql) => {
    const error = await rejection(
      mergeIntoTarget(
        target.url,
        { name: 'hostile', up_sql: `create table public.a (id int);\n${sql()}`, down_sql: 'drop table public.a;' },
        opts,
      ),
    );

    expect(error).toMatchObject({ applied: 'none', ranStatements: [] });
    expect(error.message).toContain('the policy forbids statement 2');
    expect(await hasTable(target.url, 'public.a')).toBe(false);
    expect(
      await withConnection(
        target.url,
        async (c) =>
          (await c.query('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [`${target.name}_r`])).rows[0].n,
      ),
    ).toBe(0);
  });

  test('SQL that does not parse is refused with the parser message and position', async () => {
    const error = await rejection(
      mergeIntoTarget(
        target.url,
        {
          name: 'typo',
          up_sql: 'create table public.a (id int);\ncreate tabel public.b (id int);',
          down_sql: 'drop table public.a;',
        },
        opts,
      ),
    );
    expect(error.message).toContain('the SQL does not parse: syntax error at or near "tabel" (at line 2, column 8)');
    expect(error.applied).toBe('none');
  });

  test('CREATE INDEX CONCURRENTLY merges outside the transaction, in order, and the migration is recorded once', async () => {
    const migration = {
      name: 'index_bios',
      up_sql:
        'alter table public.profiles add column website text;\ncreate index concurrently profiles_website_idx on ' +
        "public.profiles (website);\ncomment on index public.profiles_website_idx is 'lookups';",
      down_sql:
        'drop index concurrently public.profiles_website_idx;\nalter table public.profiles drop column website;',
    };

    expect(await mergeIntoTarget(target.url, migration, opts)).toEqual({
      version: expect.stringMatching(/^\d{14}$/),
      applied: true,
    });
    expect(await indexIsValid('public.profiles_website_idx')).toBe(true);
    expect(await historyNames()).toEqual(['index_bios']);
    expect(await mergeIntoTarget(target.url, migration, opts)).toMatchObject({ applied: false });

    expect(await revertOnTarget(target.url, migration, opts)).toMatchObject({ reverted: true });
    expect(await indexIsValid('public.profiles_website_idx')).toBeUndefined();
    expect(await historyNames()).toEqual([]);
  });

  test('a failure after a statement ran outside the transaction says the merge is partial and which statements stay applied', async () => {
    const error = await rejection(
      mergeIntoTarget(
        target.url,
        {
          name: 'partial',
          up_sql:
            'create table public.a (id int);\ncreate index concurrently a_idx on public.a (id);\ncreate view public.v as ' +
            'select * from public.missing;',
          down_sql: 'drop table public.a;',
        },
        opts,
      ),
    );

    expect(error).toMatchObject({ applied: 'partial', ranStatements: [1, 2], failedStatement: 3 });
    expect(error.message).toContain(
      'relation "public.missing" does not exist (at line 3, column 39). Statement 1, 2 of the SQL had already run and stay ' +
        'applied on the target',
    );
    expect(error.retryable).toBe(false);
    expect(await hasTable(target.url, 'public.a')).toBe(true);
    expect(await historyNames()).toEqual([]);
  });

  test('a failing statement outside the transaction before anything else ran leaves the target unchanged and says so', async () => {
    const error = await rejection(
      mergeIntoTarget(
        target.url,
        {
          name: 'bad_index',
          up_sql: 'create index concurrently x_idx on public.nope (id);\ncreate table public.a (id int);',
          down_sql: 'drop table public.a;',
        },
        opts,
      ),
    );

    expect(error).toMatchObject({ applied: 'none', ranStatements: [], failedStatement: 1 });
    expect(error.message).toContain(
      'relation "public.nope" does not exist. It ran on its own and failed, and nothing before it had run, so the target is unchanged.',
    );
    expect(await historyNames()).toEqual([]);
  });

  test('a revert refuses a down the policy forbids, and the migration stays recorded', async () => {
    const migration = {
      name: 'notes',
      up_sql: 'create table public.notes (id int);',
      down_sql: 'drop table public.notes;\nselect pg_terminate_backend(pid) from pg_stat_activity;',
    };
    await mergeIntoTarget(target.url, migration, opts);

    const error = await rejection(revertOnTarget(target.url, migration, opts));
    expect(error.applied).toBe('none');
    expect(error.message).toContain('pg_terminate_backend() is a backend signalling function');
    expect(await hasTable(target.url, 'public.notes')).toBe(true);
    expect(await historyNames()).toEqual(['notes']);
  });
});
