import { Client } from 'pg';
import type { Branch } from '../../src/changes/targets/branch-provider';
import { checks, runRoundTrip } from '../../src/changes/checks/round-trip';
import { createTestTarget, hasTable, type TestTarget } from './test-target';

const userPreferences = {
  name: 'create_user_preferences',
  up_sql: `
    CREATE TABLE public.user_preferences (
      user_id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
      theme text NOT NULL DEFAULT 'light',
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    ALTER TABLE public.user_preferences ENABLE ROW LEVEL SECURITY;
    CREATE POLICY "Users manage their own preferences" ON public.user_preferences
      FOR ALL USING (auth.uid() = user_id) WITH CHECK (auth.uid() = user_id);`,
  down_sql: 'DROP TABLE public.user_preferences;',
};

let target: TestTarget;
let branch: Branch;

beforeEach(async () => {
  target = await createTestTarget();
  branch = await target.provider.createBranch(target.newWorkflowId());
});

afterEach(async () => {
  await target.cleanup();
});

test('a good migration passes up, down, compare and up again, and its diff names the table and the policy', async () => {
  const result = await runRoundTrip(target.provider, branch, userPreferences);

  expect(result.stages.map((s) => [s.name, s.ok])).toEqual([
    ['up', true],
    ['down', true],
    ['compare', true],
    ['up-again', true],
  ]);
  expect(result.ok).toBe(true);
  expect(result.residue).toEqual([]);
  expect(result.diff).toEqual(
    expect.arrayContaining([
      '+ table public.user_preferences (theme text, updated_at timestamp with time zone, user_id uuid)',
      '+ policy "Users manage their own preferences" on public.user_preferences (permissive for ALL to public)',
      '+ row level security on public.user_preferences',
    ]),
  );
  expect(checks(result).map((c) => [c.name, c.status])).toEqual([
    ['Up applies on the branch', 'pass'],
    ['Down restores the schema', 'pass'],
    ['Up applies again', 'pass'],
  ]);
});

test('a migration with a syntax error fails up with the parser message and where it points, and nothing runs', async () => {
  const result = await runRoundTrip(target.provider, branch, {
    name: 'broken',
    up_sql: 'CREATE TABLE public.a (id int);\nCREATE TABEL public.b (id int);',
    down_sql: 'DROP TABLE public.a;',
  });

  expect(result.ok).toBe(false);
  expect(result.stages).toHaveLength(1);
  expect(result.stages[0]).toMatchObject({
    name: 'up',
    ok: false,
    error: 'not run: in up_sql, the SQL does not parse: syntax error at or near "TABEL" (at line 2, column 8)',
  });
  expect(await hasTable(branch.databaseUrl, 'public.a')).toBe(false);
  expect(checks(result).map((c) => c.status)).toEqual(['fail', 'warn', 'warn']);
});

test('a migration that references a missing table fails up with the Postgres message', async () => {
  const result = await runRoundTrip(target.provider, branch, {
    name: 'missing_table',
    up_sql: 'ALTER TABLE public.accounts ADD COLUMN plan text;',
    down_sql: 'ALTER TABLE public.accounts DROP COLUMN plan;',
  });

  expect(result.stages.map((s) => s.name)).toEqual(['up']);
  expect(result.stages[0]?.error).toMatch(/^relation "public\.accounts" does not exist/);
});

test('a down that forgets an index fails compare and lists the index as residue', async () => {
  const result = await runRoundTrip(target.provider, branch, {
    name: 'add_profiles_username_lower',
    up_sql:
      'ALTER TABLE public.profiles ADD COLUMN website text; CREATE INDEX profiles_lower_username_idx ON public.profiles (lower(username));',
    down_sql: 'ALTER TABLE public.profiles DROP COLUMN website;',
  });

  expect(result.stages.map((s) => [s.name, s.ok])).toEqual([
    ['up', true],
    ['down', true],
    ['compare', false],
  ]);
  expect(result.residue).toEqual([
    '+ index profiles_lower_username_idx on public.profiles: CREATE INDEX profiles_lower_username_idx ON public.profiles ' +
      'USING btree (lower(username))',
  ]);
  expect(result.stages[2]?.error).toContain('profiles_lower_username_idx');
  expect(checks(result)[1]).toMatchObject({ name: 'Down restores the schema', status: 'fail' });
});

test('a down that forgets a column fails compare and lists the column as residue', async () => {
  const result = await runRoundTrip(target.provider, branch, {
    name: 'add_profile_columns',
    up_sql: "ALTER TABLE public.profiles ADD COLUMN avatar_url text, ADD COLUMN locale text NOT NULL DEFAULT 'en';",
    down_sql: 'ALTER TABLE public.profiles DROP COLUMN avatar_url;',
  });

  expect(result.ok).toBe(false);
  expect(result.stages.at(-1)).toMatchObject({ name: 'compare', ok: false });
  expect(result.residue).toEqual(["+ column public.profiles.locale: text not null default 'en'::text"]);
});

test('a destructive migration round-trips as far as the schema goes, with a warning that data does not come back', async () => {
  const result = await runRoundTrip(target.provider, branch, {
    name: 'drop_profiles_bio',
    up_sql: 'ALTER TABLE public.profiles DROP COLUMN bio;',
    down_sql: 'ALTER TABLE public.profiles ADD COLUMN bio text;',
  });

  expect(result.ok).toBe(true);
  expect(result.diff).toEqual(['- column public.profiles.bio']);
  expect(checks(result)[1]).toMatchObject({
    name: 'Down restores the schema',
    status: 'warn',
    detail: expect.stringContaining('column public.profiles.bio'),
  });
});

test('up fails quickly with a lock timeout while another session holds a lock on the table', async () => {
  const holder = new Client({ connectionString: branch.databaseUrl });
  holder.on('error', () => undefined);
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE public.profiles IN ACCESS EXCLUSIVE MODE');
    const started = Date.now();
    const result = await runRoundTrip(
      target.provider,
      branch,
      {
        name: 'add_profiles_website',
        up_sql: 'ALTER TABLE public.profiles ADD COLUMN website text;',
        down_sql: 'ALTER TABLE public.profiles DROP COLUMN website;',
      },
      { lockTimeoutMs: 200 },
    );

    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.stages).toHaveLength(1);
    expect(result.stages[0]).toMatchObject({ name: 'up', ok: false, error: expect.stringMatching(/lock timeout/) });
  } finally {
    await holder.end();
  }
});

test('up waits no longer than lockTimeoutMs for a table another session is writing to', async () => {
  const holder = new Client({ connectionString: branch.databaseUrl });
  holder.on('error', () => undefined);
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE public.profiles IN ROW EXCLUSIVE MODE');
    const result = await runRoundTrip(
      target.provider,
      branch,
      {
        name: 'add_profiles_website',
        up_sql: 'ALTER TABLE public.profiles ADD COLUMN website text;',
        down_sql: 'ALTER TABLE public.profiles DROP COLUMN website;',
      },
      { lockTimeoutMs: 200 },
    );

    expect(result.stages).toEqual([
      { name: 'up', ok: false, ms: expect.any(Number), error: 'canceling statement due to lock timeout' },
    ]);
    expect(result.stages[0]?.ms).toBeLessThan(3000);
  } finally {
    await holder.end();
  }
});

test('an up that gives a different schema the second time fails up-again', async () => {
  const result = await runRoundTrip(target.provider, branch, {
    name: 'random_table_name',
    up_sql: `DO $$ BEGIN EXECUTE format('CREATE TABLE public.t_%s (id int)', floor(random() * 1e9)::bigint); END $$;`,
    down_sql: `DO $$ DECLARE t text; BEGIN
      FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't\\_%'
      LOOP EXECUTE format('DROP TABLE public.%I', t); END LOOP;
    END $$;`,
  });

  expect(result.stages.map((s) => [s.name, s.ok])).toEqual([
    ['up', true],
    ['down', true],
    ['compare', true],
    ['up-again', false],
  ]);
  expect(result.stages[3]?.error).toMatch(
    /^up applied again gave a different schema from the first time: .*\+ table public\.t_\d+/,
  );
  expect(checks(result)[2]).toMatchObject({ name: 'Up applies again', status: 'fail' });
});

test('a COMMIT in up is refused before anything runs on the branch, naming the statement', async () => {
  const result = await runRoundTrip(target.provider, branch, {
    name: 'half_and_half',
    up_sql: 'CREATE TABLE public.a (id int);\nCOMMIT;\nCREATE TABLE public.b (id int);',
    down_sql: 'DROP TABLE public.b; DROP TABLE public.a;',
  });

  expect(result.stages).toEqual([
    {
      name: 'up',
      ok: false,
      ms: 0,
      error: expect.stringMatching(
        /^not run: in up_sql, the policy forbids statement 2 \(line 2\) `COMMIT`: commit is transaction control/,
      ),
    },
  ]);
  expect(await hasTable(branch.databaseUrl, 'public.a')).toBe(false);
});

test('a forbidden down is refused before up runs', async () => {
  const result = await runRoundTrip(target.provider, branch, {
    name: 'sneaky_down',
    up_sql: 'CREATE TABLE public.a (id int);',
    down_sql: "DROP TABLE public.a; COPY (SELECT 1) TO PROGRAM 'id';",
  });

  expect(result.stages[0]?.error).toMatch(
    /^not run: in down_sql, the policy forbids statement 2 .*COPY … PROGRAM runs a shell command/,
  );
  expect(await hasTable(branch.databaseUrl, 'public.a')).toBe(false);
});

test(
  'CREATE INDEX CONCURRENTLY round-trips, run on its own outside the transaction, ' +
    'between the statements around it in order',
  async () => {
    const result = await runRoundTrip(target.provider, branch, {
      name: 'index_usernames',
      up_sql:
        'ALTER TABLE public.profiles ADD COLUMN website text;\nCREATE INDEX CONCURRENTLY profiles_website_idx ON ' +
        "public.profiles (website);\nCOMMENT ON INDEX public.profiles_website_idx IS 'lookups';",
      down_sql:
        'DROP INDEX CONCURRENTLY public.profiles_website_idx;\nALTER TABLE public.profiles DROP COLUMN website;',
    });

    expect(result.stages.map((s) => [s.name, s.ok, s.error])).toEqual([
      ['up', true, undefined],
      ['down', true, undefined],
      ['compare', true, undefined],
      ['up-again', true, undefined],
    ]);
    expect(result.outsideTransaction).toEqual(['statement 2']);
    expect(result.diff).toContain(
      '+ index profiles_website_idx on public.profiles: CREATE INDEX profiles_website_idx ON public.profiles USING btree (website)',
    );
    expect(checks(result)[0]).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('statement 2 ran on its own, outside the transaction'),
    });
  },
);

test('an error in a statement outside the transaction points into the migration as written', async () => {
  const result = await runRoundTrip(target.provider, branch, {
    name: 'index_missing_column',
    up_sql: 'CREATE TABLE public.a (id int);\nCREATE INDEX CONCURRENTLY a_idx ON public.a (lower(nope));',
    down_sql: 'DROP TABLE public.a;',
  });

  expect(result.stages[0]).toMatchObject({
    name: 'up',
    ok: false,
    error: 'column "nope" does not exist (at line 2, column 52)',
  });
});
