import { Client } from 'pg';
import { withDatabase } from '../../src/changes/targets/pg-tools';
import { BASE_DATABASE_URL, REDIS_URL } from '../../tests/support/harness';
import { createDemoDatabases, sweepAbandonedDemos } from './demo-databases';
import { claimDemoNames, demoNames } from './demo-name';

const SERVER = withDatabase(BASE_DATABASE_URL, 'postgres');

async function sql<T extends object>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: SERVER });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const exists = async (db: string) => (await sql('select 1 from pg_database where datname = $1', [db])).length === 1;

describe('two demos on one server', () => {
  it('names each run apart: its own databases and queue prefix, never the fixed infra_demo ones', () => {
    const [a, b] = [demoNames(), demoNames()];
    expect(a.databases.bot).not.toBe(b.databases.bot);
    expect(a.queuePrefix).not.toBe(b.queuePrefix);
    expect(a.databases.bot).toMatch(/^infra_demo_run_[0-9a-f]{6}$/);
    expect(demoNames('mine')).toMatchObject({
      perRun: false,
      databases: { bot: 'infra_demo_mine', target: 'infra_demo_mine_target' },
      queuePrefix: 'infra-demo-mine',
    });
  });

  it('refuses an INFRA_DEMO_NAME that cannot name a database', () => {
    expect(() => demoNames('My Demo; drop')).toThrow(/INFRA_DEMO_NAME "My Demo; drop" cannot name a database/);
  });

  it('refuses a second demo with the same name while the first runs, and lets it start once the first stops', async () => {
    const names = demoNames(`t${Date.now().toString(36)}`);
    const first = await claimDemoNames(REDIS_URL, names);
    await expect(claimDemoNames(REDIS_URL, names)).rejects.toThrow(
      `A demo named "${names.name}" is already running on this Redis`,
    );
    await first.release();
    const second = await claimDemoNames(REDIS_URL, names);
    await second.release();
  });

  it('never drops a database of its names that another program made, and says so', async () => {
    const names = demoNames(`t${Date.now().toString(36)}`);
    await sql(`create database "${names.databases.target}"`);
    try {
      await expect(
        createDemoDatabases({ kind: 'server', url: SERVER }, names.databases, { name: names.name, perRun: false }),
      ).rejects.toThrow(
        `The database ${names.databases.target} on 127.0.0.1:5432/postgres already exists and was not made by the demo`,
      );
      expect(await exists(names.databases.target)).toBe(true);
    } finally {
      await sql(`drop database if exists "${names.databases.target}" with (force)`);
    }
  });

  it('refuses databases of its names that something is connected to: another demo of that name is running', async () => {
    const names = demoNames(`t${Date.now().toString(36)}`);
    const owner = { name: names.name, perRun: false };
    const dbs = await createDemoDatabases({ kind: 'server', url: SERVER }, names.databases, owner);
    const other = new Client({ connectionString: dbs.botUrl });
    await other.connect();
    try {
      await expect(createDemoDatabases({ kind: 'server', url: SERVER }, names.databases, owner)).rejects.toThrow(
        `The database ${names.databases.bot} on 127.0.0.1:5432/postgres is in use (1 connection(s))`,
      );
    } finally {
      await other.end();
      await dbs.drop();
    }
  });

  it('sweeps the databases a killed one-run demo left, but not those of a demo that still holds its claim', async () => {
    const [gone, alive] = [demoNames(), demoNames()];
    const made = await Promise.all(
      [gone, alive].map((n) =>
        createDemoDatabases({ kind: 'server', url: SERVER }, n.databases, { name: n.name, perRun: true }),
      ),
    );
    try {
      const dropped = await sweepAbandonedDemos(SERVER, async (name) => name === alive.name);
      expect(dropped.sort()).toEqual([gone.databases.bot, gone.databases.target].sort());
      expect(await exists(gone.databases.bot)).toBe(false);
      expect(await exists(alive.databases.bot)).toBe(true);
    } finally {
      await Promise.all(made.map((m) => m.drop()));
    }
  });
});
