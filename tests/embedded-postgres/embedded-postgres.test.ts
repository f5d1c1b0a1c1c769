import { Client, Pool } from 'pg';
import { EmbeddedPostgres } from '../../dev/embedded-postgres/embedded-postgres';

/** The embedded server over the wire, as `pg` (and so the bot) sees it. */
describe('the embedded Postgres', () => {
  let server: EmbeddedPostgres;
  const pools: Pool[] = [];
  let n = 0;

  /** A fresh database for one test, and a pool on it. */
  async function database(): Promise<{ name: string; pool: Pool }> {
    const name = `db_${++n}`;
    await server.createDatabase(name);
    const pool = new Pool({ connectionString: server.url(name), max: 4 });
    pool.on('error', () => undefined);
    pools.push(pool);
    return { name, pool };
  }

  beforeAll(async () => {
    server = await EmbeddedPostgres.start({ lockWaitMs: 1500 });
  });

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await server?.stop();
  });

  it('answers simple and parameterised queries, and reports SQL errors with their SQLSTATE without losing the connection', async () => {
    const { pool } = await database();
    await pool.query('create table notes (id serial primary key, body text not null)');
    await pool.query('insert into notes (body) values ($1), ($2)', ['one', 'two']);
    const client = await pool.connect();
    try {
      await expect(client.query('insert into notes (body) values (null)')).rejects.toMatchObject({ code: '23502' });
      const { rows } = await client.query<{ body: string }>('select body from notes where id > $1 order by id', [0]);
      expect(rows.map((r) => r.body)).toEqual(['one', 'two']);
    } finally {
      client.release();
    }
  });

  it('runs many connections at once without mixing their parameters or results', async () => {
    const { pool } = await database();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        pool.query<{ n: number; s: string }>('select $1::int * 2 as n, $2::text as s', [i, `q${i}`]),
      ),
    );
    expect(answers.map((a) => a.rows[0])).toEqual(Array.from({ length: 40 }, (_, i) => ({ n: i * 2, s: `q${i}` })));
  });

  it('keeps another connection out of a transaction: its statement waits and sees only what was committed', async () => {
    const { pool } = await database();
    await pool.query('create table items (id int primary key)');
    const a = await pool.connect();
    try {
      await a.query('begin');
      await a.query('insert into items values (1)');
      const outside = pool.query<{ n: number }>('select count(*)::int as n from items');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await a.query('rollback');
      expect((await outside).rows[0]?.n).toBe(0);
    } finally {
      a.release();
    }
  });

  it('rolls back the transaction of a connection that drops, and the next connection gets the database', async () => {
    const { name, pool } = await database();
    await pool.query('create table items (id int primary key)');
    const dropped = new Client({ connectionString: server.url(name) });
    dropped.on('error', () => undefined);
    await dropped.connect();
    await dropped.query('begin');
    await dropped.query('insert into items values (1)');
    (dropped as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from items');
    expect(rows[0]?.n).toBe(0);
  });

  it("resets a closed connection's session settings, so the next connection starts with the defaults", async () => {
    const { name, pool } = await database();
    const first = new Client({ connectionString: server.url(name) });
    await first.connect();
    await first.query('set statement_timeout = 4321');
    await first.end();
    const { rows } = await pool.query<{ statement_timeout: string }>('show statement_timeout');
    expect(rows[0]?.statement_timeout).toBe('0');
  });

  it(
    'refuses a statement that waited too long for another transaction with SQLSTATE 55P03 and advice, and the refused ' +
      'connection still works',
    async () => {
      const { name, pool } = await database();
      const holder = await pool.connect();
      const waiter = new Client({ connectionString: server.url(name) });
      await waiter.connect();
      try {
        await holder.query('begin');
        await expect(waiter.query('select $1::int as n', [1])).rejects.toMatchObject({
          code: '55P03',
          message: expect.stringContaining('run the demo on a PostgreSQL server (set DATABASE_URL)'),
        });
        await holder.query('commit');
        expect((await waiter.query('select $1::int as n', [2])).rows).toEqual([{ n: 2 }]);
      } finally {
        holder.release();
        await waiter.end();
      }
    },
  );

  it('refuses a connection to a database it does not have, with SQLSTATE 3D000', async () => {
    const client = new Client({ connectionString: server.url('no_such_db') });
    await expect(client.connect()).rejects.toMatchObject({
      code: '3D000',
      message: 'database "no_such_db" does not exist on the embedded Postgres',
    });
  });

  it('keeps databases apart, copies one with its schema, data and roles, and drops a database with its connections', async () => {
    const { name, pool } = await database();
    const other = await database();
    await pool.query("create role reader nologin; create table kept (v text); insert into kept values ('x')");
    await expect(other.pool.query('select * from kept')).rejects.toMatchObject({ code: '42P01' });

    await server.cloneDatabase(name, `${name}_copy`);
    const copy = new Client({ connectionString: server.url(`${name}_copy`) });
    copy.on('error', () => undefined);
    await copy.connect();
    expect((await copy.query('select v from kept')).rows).toEqual([{ v: 'x' }]);
    expect((await copy.query("select count(*)::int as n from pg_roles where rolname = 'reader'")).rows).toEqual([
      { n: 1 },
    ]);

    await server.dropDatabase(`${name}_copy`);
    expect(server.hasDatabase(`${name}_copy`)).toBe(false);
    await expect(copy.query('select 1')).rejects.toThrow();
    expect((await pool.query('select v from kept')).rows).toEqual([{ v: 'x' }]);
  });
});
