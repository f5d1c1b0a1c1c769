import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestTarget, hasTable, type TestTarget, withConnection } from './test-target';

const preferences = {
  name: 'create_user_preferences',
  up_sql: `CREATE TABLE public.user_preferences (user_id uuid PRIMARY KEY REFERENCES auth.users (id), theme text NOT NULL DEFAULT 'light');
    ALTER TABLE public.user_preferences ENABLE ROW LEVEL SECURITY;`,
  down_sql: 'DROP TABLE public.user_preferences;',
};

let target: TestTarget;

beforeEach(async () => {
  target = await createTestTarget();
});

afterEach(async () => {
  await target.cleanup();
});

/** The target's migration history; none when the table does not exist (a failed first merge rolls it back too). */
async function history(): Promise<Array<{ version: string; name: string; statements: string[] }>> {
  return withConnection(target.url, async (c) => {
    const table = await c.query(`SELECT to_regclass('supabase_migrations.schema_migrations') IS NOT NULL AS found`);
    if (!table.rows[0].found) return [];
    return (
      await c.query('SELECT version, name, statements FROM supabase_migrations.schema_migrations ORDER BY version')
    ).rows;
  });
}

describe('merge, revert and backup', () => {
  test('merge applies the migration to the target and records it in the Supabase history table', async () => {
    const result = await target.provider.merge(1, preferences);

    expect(result).toEqual({ version: expect.stringMatching(/^\d{14}$/), applied: true });
    expect(await hasTable(target.url, 'public.user_preferences')).toBe(true);
    expect(await history()).toEqual([
      { version: result.version, name: preferences.name, statements: [preferences.up_sql] },
    ]);
  });

  test('merging the same migration twice applies it once and returns the first version', async () => {
    const first = await target.provider.merge(1, preferences);
    const second = await target.provider.merge(1, preferences);

    expect(second).toEqual({ version: first.version, applied: false });
    expect(await history()).toHaveLength(1);
  });

  test('two merges in the same second get different versions', async () => {
    const now = new Date('2030-01-02T03:04:05Z');
    const pinned = await createTestTarget({ provider: { now: () => now } });
    try {
      const a = await pinned.provider.merge(1, preferences);
      const b = await pinned.provider.merge(1, {
        name: 'add_theme_index',
        up_sql: 'CREATE INDEX ON public.user_preferences (theme);',
        down_sql: 'SELECT 1;',
      });
      expect([a.version, b.version]).toEqual(['20300102030405', '20300102030406']);
    } finally {
      await pinned.cleanup();
    }
  });

  test('a merge that fails leaves the target unchanged and says so', async () => {
    const broken = {
      name: 'broken',
      up_sql: 'CREATE TABLE public.a (id int);\nCREATE VIEW public.v AS SELECT * FROM public.missing;',
      down_sql: 'DROP TABLE public.a;',
    };

    await expect(target.provider.merge(1, broken)).rejects.toThrow(
      'Merging migration broken into the target failed: relation "public.missing" does not exist (at line 2, column 39). The ' +
        'transaction was rolled back, so the target is unchanged.',
    );
    expect(await hasTable(target.url, 'public.a')).toBe(false);
    expect(await history()).toEqual([]);
  });

  test('revert runs down on the target and removes the history row; reverting again does nothing', async () => {
    await target.provider.merge(1, preferences);

    const result = await target.provider.revert(1, preferences);
    expect(result).toEqual({ reverted: true, version: expect.stringMatching(/^\d{14}$/) });
    expect(await hasTable(target.url, 'public.user_preferences')).toBe(false);
    expect(await history()).toEqual([]);
    expect(await target.provider.revert(1, preferences)).toEqual({ reverted: false });
  });

  test('backup writes a non-empty custom-format dump of the target', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'infra-backup-'));
    try {
      const path = await target.provider.backup(dir);

      expect(path).toMatch(/\/backup-\d{8}T\d{9}Z\.dump$/);
      const content = await readFile(path);
      expect(content.subarray(0, 5).toString()).toBe('PGDMP');
      expect(content.length).toBeGreaterThan(1000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
