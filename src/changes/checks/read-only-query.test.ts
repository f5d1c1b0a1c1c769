import { checkReadOnlyQuery } from './read-only-query';
import { loadSqlParser } from '../sql/sql-parser';

beforeAll(async () => {
  await loadSqlParser();
});

describe('the read-only check of execute_sql and the smoke tests', () => {
  test.each([
    ['a SELECT', 'select id, username from public.profiles where id = 1'],
    [
      'a SELECT with a read-only CTE and a trailing semicolon',
      'with p as (select * from profiles) select count(*) from p;',
    ],
    ['EXPLAIN', 'explain select * from profiles'],
    ['EXPLAIN (ANALYZE false)', 'explain (analyze false, costs off) select 1'],
    ['SHOW', 'show search_path'],
    ['VALUES', 'values (1), (2)'],
    ['a catalog read', "select relname from pg_class where relkind = 'r'"],
  ])('accepts %s', (_label, sql) => {
    expect(checkReadOnlyQuery(sql)).toMatchObject({ ok: true });
  });

  test('answers the one statement without its semicolon', () => {
    expect(checkReadOnlyQuery('  select 1 ;  ')).toEqual({ ok: true, sql: 'select 1' });
  });

  test.each([
    ['two statements', 'select 1; select 2', 'exactly one statement; this has 2'],
    ['a read followed by a write', 'select 1; delete from profiles', 'exactly one statement'],
    ['EXPLAIN ANALYZE', 'explain analyze select 1', 'EXPLAIN ANALYZE runs the statement'],
    ['EXPLAIN (ANALYSE)', 'explain (analyse) select 1', 'EXPLAIN ANALYZE'],
    ['EXPLAIN ANALYZE of a DELETE', 'explain analyze delete from profiles', 'EXPLAIN ANALYZE'],
    ['EXPLAIN of an INSERT', 'explain insert into t values (1)', 'not a read'],
    ['an INSERT', 'insert into profiles (id) values (1)', 'Insert is not a read'],
    ['an UPDATE', 'update profiles set bio = null', 'not a read'],
    [
      'a data-modifying CTE',
      'with d as (delete from profiles returning *) select * from d',
      'it writes (DELETE inside the query)',
    ],
    ['SELECT INTO', 'select * into stolen from profiles', 'SELECT INTO creates a table'],
    ['FOR UPDATE', 'select * from profiles for update', 'row locks'],
    ['set_config', "select set_config('role', 'postgres', false)", 'set_config() is a server settings function'],
    ['pg_read_file', "select pg_read_file('/etc/passwd')", 'pg_read_file() is a server files function'],
    [
      'pg_read_binary_file in FROM',
      "select * from pg_catalog.pg_read_binary_file('global/pg_control') as b",
      'server files',
    ],
    ['pg_terminate_backend', 'select pg_terminate_backend(pid) from pg_stat_activity', 'backend signalling'],
    ['lo_import', "select lo_import('/etc/passwd')", 'large objects'],
    ['lo_get', 'select lo_get(16400)', 'large objects'],
    ['a replication slot', "select pg_create_physical_replication_slot('keep')", 'replication'],
    ['dblink', "select * from dblink('host=prod', 'select 1') as t(x int)", 'outside connections'],
    ['nextval', "select nextval('profiles_id_seq')", 'writes'],
    [
      'query_to_xml',
      "select query_to_xml('select pg_read_file(''x'')', true, true, '')",
      'runs SQL handed to it as text',
    ],
    ['pg_authid', 'select rolname, rolpassword from pg_authid', 'pg_authid holds secrets'],
    ['pg_shadow in a sub-query', 'select * from (select * from pg_catalog.pg_shadow) s', 'pg_shadow holds secrets'],
    ['COPY TO PROGRAM', "copy (select 1) to program 'id'", 'Copy is not a read'],
    ['SET', 'set role postgres', 'not a read'],
    ['a transaction', 'commit', 'not a read'],
    ['an empty query', '  -- nothing  ', 'this has 0'],
  ])('refuses %s', (_label, sql, why) => {
    const verdict = checkReadOnlyQuery(sql);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toContain(why);
  });

  test('refuses SQL that does not parse with the parser message and its position', () => {
    expect(checkReadOnlyQuery('select *\nfrom profiles\nwher id = 1')).toEqual({
      ok: false,
      reason: 'The query does not parse: syntax error at or near "id" (at line 3, column 6).',
    });
  });
});
