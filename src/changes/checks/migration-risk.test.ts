import { loadSqlParser } from '../sql/sql-parser';
import { assessRisk } from './migration-risk';
import { migrationRisk } from './migration-review';

beforeAll(async () => {
  await loadSqlParser();
});

const none = { findings: [], locks: [], lint: [] };

describe('assessRisk', () => {
  it('rates an additive change low and says why', () => {
    expect(assessRisk(none)).toEqual({
      level: 'low',
      reasons: ['additive only: nothing is dropped, rewritten or locked on an existing table'],
    });
  });

  it('rates a destructive statement high, naming the statement and what it loses', () => {
    const risk = assessRisk({
      ...none,
      findings: [{ kind: 'destructive', statement: 2, why: 'DROP TABLE public.notes removes the table and its data' }],
    });
    expect(risk).toEqual({
      level: 'high',
      reasons: ['destructive — statement 2: DROP TABLE public.notes removes the table and its data'],
    });
  });

  it('rates a rewrite of an existing table high and a lock on one medium', () => {
    const lock = { kind: 'lock' as const, table: 'public.notes', statement: 1, why: 'ALTER TABLE takes a lock' };
    expect(assessRisk({ ...none, locks: [lock] }).level).toBe('medium');
    expect(assessRisk({ ...none, locks: [{ ...lock, kind: 'rewrite', why: 'CLUSTER rewrites' }] })).toEqual({
      level: 'high',
      reasons: ['rewrites existing table public.notes — statement 1: CLUSTER rewrites'],
    });
  });

  it('rates lint findings medium, listing each rule once, and puts the strongest reason first', () => {
    const risk = assessRisk({
      ...none,
      lint: [
        { rule: 'adding-required-field', level: 'warning' },
        { rule: 'adding-required-field', level: 'warning' },
        { rule: 'syntax-error', level: 'error' },
      ],
      findings: [{ kind: 'destructive', statement: 1, why: 'TRUNCATE empties public.t' }],
    });
    expect(risk.level).toBe('high');
    expect(risk.reasons).toEqual([
      'destructive — statement 1: TRUNCATE empties public.t',
      'squawk found adding-required-field, syntax-error (error)',
    ]);
  });

  it('rates unanalysable code and statements outside the transaction medium', () => {
    expect(assessRisk({ ...none, findings: [{ kind: 'unanalysable', statement: 1, why: 'EXECUTE' }] }).level).toBe(
      'medium',
    );
    expect(assessRisk({ ...none, findings: [{ kind: 'non_transactional', statement: 1, why: 'x' }] }).level).toBe(
      'medium',
    );
  });

  it('says when the lint did not run, without raising the level', () => {
    const { lint: _, ...unlinted } = none;
    expect(assessRisk(unlinted)).toEqual({
      level: 'low',
      reasons: [
        'additive only: nothing is dropped, rewritten or locked on an existing table',
        'the lint did not run, so squawk’s rules were not checked',
      ],
    });
  });
});

describe('migrationRisk, from the Postgres parser', () => {
  const risk = (up_sql: string) => migrationRisk({ name: 'm', up_sql, down_sql: 'select 1;' }, []);

  it('is low for a new table with its RLS, policy and index', () => {
    expect(
      risk(
        'create table public.notes (id bigint primary key, body text);\n' +
          'alter table public.notes enable row level security;\n' +
          'create policy "read" on public.notes for select using (true);\n' +
          'create index notes_body_idx on public.notes (body);',
      ).level,
    ).toBe('low');
  });

  it('is medium for a column added to an existing table, naming the lock', () => {
    expect(risk('alter table public.profiles add column nickname text;')).toEqual({
      level: 'medium',
      reasons: [
        'locks existing table public.profiles — statement 1: ALTER TABLE takes an ACCESS EXCLUSIVE lock: reads and ' +
          'writes wait until the migration commits',
      ],
    });
  });

  it('is medium for an index built without CONCURRENTLY on an existing table', () => {
    expect(risk('create index p_idx on profiles (nickname);').reasons[0]).toContain(
      'locks existing table public.profiles — statement 1: CREATE INDEX without CONCURRENTLY blocks writes',
    );
  });

  it('is high for a dropped table and for a changed column type', () => {
    expect(risk('drop table public.notes;').level).toBe('high');
    expect(risk('alter table notes alter column body type int using 0;').reasons[0]).toMatch(/^destructive — /);
  });

  it('is high for SQL that does not parse', () => {
    expect(risk('create tabel t (id int);')).toMatchObject({ level: 'high' });
  });

  it('counts no lock on a table the same migration creates, nor a concurrent index build', () => {
    expect(
      risk(
        'create table public.tags (id int);\nalter table public.tags add column label text;\n' +
          'create trigger t before insert on public.tags for each row execute function f();',
      ).level,
    ).toBe('low');
    expect(risk('create index concurrently p_idx on profiles (nickname);').reasons).not.toContainEqual(
      expect.stringContaining('locks existing table'),
    );
  });

  it('is high for a rewrite of an existing table', () => {
    expect(risk('cluster public.profiles using profiles_pkey;')).toMatchObject({
      level: 'high',
      reasons: ['rewrites existing table public.profiles — statement 1: CLUSTER rewrites the table'],
    });
  });
});
