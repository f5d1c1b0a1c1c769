import { diffSnapshots } from '../../src/changes/checks/schema-diff';
import { snapshotSchema } from '../../src/changes/checks/schema-snapshot';
import { createTestTarget, type TestTarget, withConnection } from './test-target';

let target: TestTarget;

beforeEach(async () => {
  target = await createTestTarget();
});

afterEach(async () => {
  await target.cleanup();
});

test('two snapshots of the same schema are equal and serialise identically, and their diff is empty', async () => {
  const [a, b] = await withConnection(target.url, async (c) => [
    await snapshotSchema(c, 'all'),
    await snapshotSchema(c, 'all'),
  ]);

  expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  expect(diffSnapshots(a!, b!)).toEqual([]);
  expect(a!.tables['public.profiles']).toEqual({
    columns: {
      bio: { type: 'text', notNull: false, default: null, identity: '', generated: '' },
      created_at: { type: 'timestamp with time zone', notNull: true, default: 'now()', identity: '', generated: '' },
      id: { type: 'uuid', notNull: true, default: null, identity: '', generated: '' },
      username: { type: 'text', notNull: true, default: null, identity: '', generated: '' },
    },
    constraints: {
      profiles_id_fkey: 'FOREIGN KEY (id) REFERENCES auth.users(id) ON DELETE CASCADE',
      profiles_pkey: 'PRIMARY KEY (id)',
      profiles_username_key: 'UNIQUE (username)',
    },
    indexes: {
      profiles_created_at_idx: 'CREATE INDEX profiles_created_at_idx ON public.profiles USING btree (created_at)',
      profiles_pkey: 'CREATE UNIQUE INDEX profiles_pkey ON public.profiles USING btree (id)',
      profiles_username_key: 'CREATE UNIQUE INDEX profiles_username_key ON public.profiles USING btree (username)',
    },
    rls: { enabled: true, forced: false },
    policies: {
      'Profiles are readable by everyone': {
        permissive: 'PERMISSIVE',
        command: 'SELECT',
        roles: ['public'],
        qual: 'true',
        withCheck: null,
      },
      'Users update their own profile': {
        permissive: 'PERMISSIVE',
        command: 'UPDATE',
        roles: ['public'],
        qual: '(auth.uid() = id)',
        withCheck: null,
      },
    },
    triggers: {},
  });
});

test('the diff names each added, removed and changed object, sorted by object', async () => {
  const [before, after] = await withConnection(target.url, async (c) => {
    const snapshotBefore = await snapshotSchema(c, 'all');
    await c.query(`
      CREATE SCHEMA billing;
      ALTER TABLE public.profiles ALTER COLUMN bio TYPE varchar(200), ALTER COLUMN bio SET NOT NULL, ALTER COLUMN created_at DROP DEFAULT;
      ALTER TABLE public.profiles FORCE ROW LEVEL SECURITY;
      DROP POLICY "Profiles are readable by everyone" ON public.profiles;
      ALTER POLICY "Users update their own profile" ON public.profiles WITH CHECK (auth.uid() = id);
      DROP INDEX public.profiles_created_at_idx;
      CREATE TYPE public.mood AS ENUM ('happy', 'sad');
      CREATE SEQUENCE public.ticket_seq;
      CREATE VIEW public.usernames AS SELECT username FROM public.profiles;
      CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER profiles_touch BEFORE UPDATE ON public.profiles FOR EACH ROW EXECUTE FUNCTION public.touch();
      DROP TABLE auth.users CASCADE;`);
    return [snapshotBefore, await snapshotSchema(c, 'all')];
  });

  expect(diffSnapshots(before!, after!)).toEqual([
    '~ column public.profiles.bio: nullable → not null',
    '~ column public.profiles.bio: text → character varying(200)',
    '~ column public.profiles.created_at default: now() → none',
    '- constraint profiles_id_fkey on public.profiles',
    '+ enum public.mood (happy, sad)',
    '~ forced row level security on public.profiles: no → yes',
    '+ function public.touch()',
    '- index profiles_created_at_idx on public.profiles',
    '- policy "Profiles are readable by everyone" on public.profiles',
    '~ policy "Users update their own profile" on public.profiles with check: none → (auth.uid() = id)',
    '+ schema billing',
    '+ sequence public.ticket_seq',
    '- table auth.users',
    '+ trigger profiles_touch on public.profiles: CREATE TRIGGER profiles_touch BEFORE UPDATE ON public.profiles FOR EACH ROW ' +
      'EXECUTE FUNCTION public.touch()',
    '+ view public.usernames',
  ]);
});

test('a snapshot covers only the schemas it is asked for and leaves out objects of extensions', async () => {
  const [auth, pub] = await withConnection(target.url, async (c) => {
    await c.query(`CREATE EXTENSION citext; ALTER TABLE public.profiles ADD COLUMN email citext;`);
    return [await snapshotSchema(c, ['auth']), await snapshotSchema(c)];
  });

  expect(auth!.schemas).toEqual(['auth']);
  expect(Object.keys(auth!.tables)).toEqual(['auth.users']);
  expect(Object.keys(auth!.functions)).toEqual(['auth.uid()']);
  expect(Object.keys(pub!.tables)).toEqual(['public.profiles']);
  expect(pub!.tables['public.profiles']?.columns.email?.type).toBe('public.citext');
  expect(pub!.functions).toEqual({});
});
