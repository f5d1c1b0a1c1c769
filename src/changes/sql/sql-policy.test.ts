import { loadSqlParser } from './sql-parser';
import { analyseMigration, batches, policyChecks, refusal, statementCount, touchedTables } from './sql-policy';

beforeAll(async () => {
  await loadSqlParser();
});

const kinds = (sql: string) => analyseMigration(sql).findings.map((f) => f.kind);

describe('destructive statements', () => {
  const destructive: Array<[string, string]> = [
    ['a comment between DROP and TABLE', 'drop/**/table public.notes;'],
    ['a line comment between the keywords', 'DROP -- the old one\n TABLE notes;'],
    ['IF EXISTS … CASCADE', 'DROP TABLE IF EXISTS public.notes CASCADE;'],
    ['a quoted, mixed-case name', 'drop table "Public"."My Notes";'],
    ['upper and lower case mixed', 'DrOp TaBlE notes;'],
    ['ALTER TABLE ONLY … SET DATA TYPE', 'ALTER TABLE ONLY notes ALTER COLUMN body SET DATA TYPE varchar(10);'],
    ['ALTER COLUMN … TYPE without COLUMN', 'alter table notes alter body type int using 0;'],
    ['DROP COLUMN without the word COLUMN', 'alter table notes drop body;'],
    ['DELETE without WHERE', 'DELETE FROM notes;'],
    ['UPDATE without WHERE', 'UPDATE notes SET body = 1;'],
    ['a DELETE without WHERE inside a CTE', 'with gone as (delete from notes returning id) select count(*) from gone;'],
    ['ALTER TABLE … RENAME TO', 'ALTER TABLE notes RENAME TO memos;'],
    ['RENAME COLUMN', 'alter table notes rename column body to text;'],
    ['TRUNCATE ONLY', 'TRUNCATE ONLY notes;'],
    ['TRUNCATE TABLE … RESTART IDENTITY', 'truncate table notes restart identity cascade;'],
    ['DROP SCHEMA', 'DROP SCHEMA billing;'],
    ['DROP FUNCTION', 'drop function public.touch(int);'],
    ['DROP MATERIALIZED VIEW', 'drop materialized view stats;'],
    ['DROP SEQUENCE', 'drop sequence notes_id_seq;'],
    ['DROP TYPE', 'drop type mood;'],
    ['DROP VIEW', 'drop view v;'],
    ['DROP INDEX … CASCADE', 'drop index notes_idx cascade;'],
    ['ALTER TABLE … SET SCHEMA', 'alter table notes set schema archive;'],
    ['MERGE … THEN DELETE', 'merge into notes n using old o on n.id = o.id when matched then delete;'],
  ];
  test.each(destructive)('finds %s', (_label, sql) => {
    expect(kinds(sql)).toContain('destructive');
  });

  test.each([
    ['a DELETE with WHERE', 'delete from notes where id = 1;'],
    ['an UPDATE with WHERE', 'update notes set body = 1 where id = 2;'],
    ['a new table', 'create table notes (id int);'],
    ['a plain DROP INDEX', 'drop index notes_idx;'],
    ['the word drop inside a string', "insert into notes (body) values ('drop table x');"],
  ])('does not flag %s', (_label, sql) => {
    expect(kinds(sql)).not.toContain('destructive');
  });

  test('the check carries the destructive flag and names the statement and line', () => {
    const checks = policyChecks({ up_sql: 'create table a (id int);\ndrop/**/table b;', down_sql: 'drop table a;' });
    expect(checks).toContainEqual({
      name: 'Destructive statements',
      status: 'warn',
      flags: ['destructive'],
      detail:
        'up_sql statement 2 (line 2) `drop/**/table b`: DROP TABLE removes table b and what it holds — can lose ' +
        'data or break clients: check the backup point before approving (two approvers)',
    });
  });

  test('a down that drops what up created is not flagged as destructive', () => {
    expect(policyChecks({ up_sql: 'create table a (id int);', down_sql: 'drop table a;' })).toContainEqual({
      name: 'Destructive statements',
      status: 'pass',
      detail: 'none',
    });
  });
});

describe('forbidden statements', () => {
  const forbidden: Array<[string, string, string]> = [
    ['COPY … TO PROGRAM', "copy (select 1) to program 'id > /tmp/x';", 'runs a shell command'],
    ['COPY from a server file', "COPY notes FROM '/etc/passwd';", 'file on the database server'],
    [
      'pg_read_binary_file inside a DEFAULT',
      "create table t (a bytea default pg_read_binary_file('global/pg_control'));",
      'pg_read_binary_file() is a server files function',
    ],
    [
      'pg_read_binary_file inside a view',
      "create view v as select pg_catalog.pg_read_binary_file('base/1/1259') as b;",
      'pg_read_binary_file() is a server files function',
    ],
    ['pg_read_file inside a CHECK', "create table t (a text check (pg_read_file('x') is not null));", 'server files'],
    ['pg_ls_dir inside a policy', "create policy p on notes using (exists (select pg_ls_dir('.')));", 'server files'],
    ['CREATE ROLE … SUPERUSER', 'CREATE ROLE attacker SUPERUSER LOGIN;', 'roles are managed'],
    ['ALTER ROLE', 'alter role authenticator bypassrls;', 'roles are managed'],
    ['GRANT of role membership', 'grant postgres to anon;', 'role membership'],
    [
      'ALTER DATABASE … SET default_transaction_read_only',
      'ALTER DATABASE postgres SET default_transaction_read_only = on;',
      'ALTER DATABASE',
    ],
    ['CREATE DATABASE', 'create database other;', 'databases are not'],
    ['ALTER SYSTEM', "ALTER SYSTEM SET shared_preload_libraries = 'x';", 'ALTER SYSTEM'],
    ['COMMIT in the middle', 'create table a (id int); commit; create table b (id int);', 'transaction control'],
    ['BEGIN', 'begin; create table a (id int);', 'transaction control'],
    ['SAVEPOINT', 'savepoint s;', 'transaction control'],
    ['PREPARE TRANSACTION', "prepare transaction 'x';", 'transaction control'],
    ['ROLLBACK', 'rollback;', 'transaction control'],
    ['lo_import', "select lo_import('/etc/passwd');", 'large objects'],
    [
      'lo_export inside a function body',
      "create function f() returns int language sql as $$ select lo_export(1, '/tmp/x') $$;",
      'in the body of function f',
    ],
    ['dblink_exec', "select dblink_exec('host=prod', 'drop table x');", 'outside connections'],
    [
      'pg_terminate_backend in a SELECT',
      'select pg_terminate_backend(pid) from pg_stat_activity;',
      'backend signalling',
    ],
    ['a replication slot', "select pg_create_logical_replication_slot('s', 'pgoutput');", 'replication'],
    ['set_config', "select set_config('role', 'postgres', false);", 'server settings'],
    ['SET ROLE', 'set role postgres;', 'the setting role'],
    ['SET SESSION AUTHORIZATION', 'SET SESSION AUTHORIZATION postgres;', 'session_authorization'],
    ['SET LOCAL statement_timeout', 'set local statement_timeout = 0;', 'statement_timeout'],
    ['LOAD', "load 'plpython3';", 'shared library'],
    ['CREATE SUBSCRIPTION', "create subscription s connection 'host=x' publication p;", 'subscriptions'],
    ['a function in C', "create function f() returns int as 'libc', 'system' language c;", 'runs with the server'],
    ['a DO block in plpython3u', 'do language plpython3u $$ import os $$;', 'runs with the server'],
    ['CREATE EXTENSION dblink', 'create extension if not exists dblink;', 'reaches outside'],
    ['CREATE EXTENSION file_fdw', 'CREATE EXTENSION file_fdw;', 'reaches outside'],
    [
      'a trigger calling a refused function',
      'create trigger t after insert on notes execute function pg_reload_conf();',
      'backend signalling',
    ],
    [
      'an operator over a refused function',
      'create operator ### (function = pg_read_file, rightarg = text);',
      'server files',
    ],
    ['GRANT EXECUTE on a refused function', 'grant execute on function pg_read_file(text) to anon;', 'server files'],
    [
      'a foreign server',
      "create server s foreign data wrapper postgres_fdw options (host 'prod');",
      'outside connections',
    ],
  ];
  test.each(forbidden)('refuses %s', (_label, sql, why) => {
    const analysis = analyseMigration(sql);
    expect(
      analysis.findings
        .filter((f) => f.kind === 'forbidden')
        .map((f) => f.why)
        .join(' | '),
    ).toContain(why);
    expect(refusal(analysis)).toMatch(/^the policy forbids statement \d+ \(line \d+\)/);
  });

  test('the forbidden check fails naming the statement and why', () => {
    const checks = policyChecks({
      up_sql: 'create table a (id int);\ncommit;\ncreate table b (id int);',
      down_sql: 'drop table b; drop table a;',
    });
    expect(checks).toContainEqual({
      name: 'Forbidden statements',
      status: 'fail',
      detail:
        'up_sql statement 2 (line 2) `commit`: commit is transaction control: the engine runs the migration in ' +
        'its own transaction, which the migration may not end or split — the migration cannot run; rewrite it without them',
    });
  });

  test('an allowed extension and ordinary DDL pass', () => {
    expect(
      kinds(
        'create extension if not exists pgcrypto; create table t (id uuid default gen_random_uuid()); grant select on t to anon;',
      ),
    ).toEqual([]);
  });
});

describe('unanalysable code', () => {
  test.each([
    ['a DO block', "do $$ begin execute 'drop table ' || 'notes'; end $$;", 'a DO block runs plpgsql code'],
    [
      'a PL/pgSQL function',
      'create function f() returns trigger language plpgsql as $$ begin return new; end $$;',
      'the body of function f is plpgsql',
    ],
    ['EXECUTE of a prepared statement', 'execute p(1);', 'prepared statement'],
    ['query_to_xml', "select query_to_xml('select 1', true, true, '');", 'runs SQL handed to it as text'],
    ['an extension the engine does not know', 'create extension some_new_thing;', 'not on the engine'],
  ])('flags %s', (_label, sql, why) => {
    const found = analyseMigration(sql).findings;
    expect(found.map((f) => f.kind)).toContain('unanalysable');
    expect(found.map((f) => f.why).join(' | ')).toContain(why);
  });

  test('a LANGUAGE sql body is read, so a clean one is not flagged', () => {
    expect(kinds('create function f(a int) returns int language sql immutable as $$ select a + 1 $$;')).toEqual([]);
    expect(kinds('create function f() returns int language sql begin atomic select 1; end;')).toEqual([]);
  });

  test('the check carries the unanalysable flag', () => {
    const check = policyChecks({ up_sql: 'do $$ begin null; end $$;', down_sql: 'select 1;' }).find(
      (c) => c.name === 'Code the engine cannot read',
    );
    expect(check).toMatchObject({ status: 'warn', flags: ['unanalysable'] });
  });
});

describe('statements outside the transaction', () => {
  test.each([
    ['CREATE INDEX CONCURRENTLY', 'create index concurrently i on notes (id);'],
    ['DROP INDEX CONCURRENTLY', 'drop index concurrently i;'],
    ['REINDEX … CONCURRENTLY', 'reindex index concurrently i;'],
    ['VACUUM', 'vacuum notes;'],
    ['ALTER TYPE … ADD VALUE', "alter type mood add value 'meh';"],
    ['DETACH PARTITION CONCURRENTLY', 'alter table m detach partition m1 concurrently;'],
  ])('recognises %s', (_label, sql) => {
    expect(kinds(sql)).toContain('non_transactional');
  });

  test('batches keep the order: transactional runs together, the rest alone, each as written', () => {
    const sql =
      'create table a (id int);\ncreate table b (id int);\ncreate index concurrently ai on a (id);\ninsert into a values (1);';
    const analysis = analyseMigration(sql);
    expect(batches(sql, analysis)).toEqual([
      { text: 'create table a (id int);\ncreate table b (id int)', offset: 0, transactional: true, statements: [1, 2] },
      { text: 'create index concurrently ai on a (id)', offset: 50, transactional: false, statements: [3] },
      { text: 'insert into a values (1)', offset: 90, transactional: true, statements: [4] },
    ]);
    expect(
      policyChecks({ up_sql: sql, down_sql: 'drop table b; drop table a;' }).find((c) =>
        c.flags?.includes('non_transactional'),
      ),
    ).toMatchObject({ name: 'Outside the transaction', status: 'warn' });
  });
});

describe('splitting and tables', () => {
  test('counts statements by the parser: semicolons in strings, comments and dollar quotes do not count', () => {
    expect(
      statementCount(
        "insert into t values ('a;b'); -- c; d\n/* e; */ create function f() returns int language sql as $$ select 1; $$;",
      ),
    ).toBe(2);
    expect(statementCount('-- only a comment')).toBe(0);
  });

  test('SQL that does not parse gives the parser message with line and column', () => {
    const analysis = analyseMigration('create table a (id int);\ncreate tabel b (id int);');
    expect(analysis.syntaxError).toEqual({ message: 'syntax error at or near "tabel"', line: 2, column: 8 });
    expect(policyChecks({ up_sql: 'create tabel b (id int);', down_sql: 'select 1;' })).toContainEqual({
      name: 'SQL parses',
      status: 'fail',
      detail: 'up_sql: syntax error at or near "tabel" (at line 1, column 8)',
    });
  });

  test('statement texts are sliced right after non-ASCII text', () => {
    const sql = "insert into t values ('é€'); drop table x;";
    expect(analyseMigration(sql).findings[0]).toMatchObject({ statement: 2, excerpt: 'drop table x' });
  });

  test('touched tables are schema-qualified, default public, from every spelling the grammar allows', () => {
    const sql = `create table if not exists "Notes" (id int);
      alter table only billing.invoices enable row level security;
      create policy p on public.profiles using (true);
      grant select on table audit.log to anon;
      create table temp_t (id int); drop table temp_t;
      alter table a rename to b;`;
    expect(touchedTables(sql).sort()).toEqual([
      'audit.log',
      'billing.invoices',
      'public."Notes"',
      'public.b',
      'public.profiles',
    ]);
  });
});
