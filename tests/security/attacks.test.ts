/**
 * Walks the attack corpus (attacks.ts) against the real bot: signed Slack requests, a scripted model
 * trying each attack, production on a Postgres server of the suite's own. One test per corpus line.
 */
import type { Attack, AttackKind } from './attack-types';
import { ATTACKS } from './attacks';
import { ciFileAttack } from './drivers/ci-attacks';
import { type PgServer, startPgServer } from './drivers/production-server';
import { slackForgeryAttack } from './drivers/slack-attacks';
import { approvalAttack, executeSqlAttack, migrationAttack, smuggledMigrationAttack } from './drivers/sql-attacks';
import { threadReplyAttack } from './drivers/thread-attacks';

jest.setTimeout(120_000);

let server: Promise<PgServer> | undefined;
/** Production's server, started by the first test that needs one and stopped after the last. */
const productionServer = (): Promise<PgServer> => (server ??= startPgServer());

afterAll(async () => {
  await (await server)?.stop();
});

type Driver<K extends AttackKind> = (attack: Extract<Attack, { kind: K }>) => Promise<void>;

const DRIVERS: { [K in AttackKind]: { title: string; run: Driver<K> } } = {
  execute_sql: {
    title: 'SQL an agent runs on its branch with execute_sql',
    run: async (a) => executeSqlAttack(a, await productionServer()),
  },
  migration: {
    title: 'a hostile migration, approved at every gate by two people',
    run: async (a) => migrationAttack(a, await productionServer()),
  },
  smuggled_migration: {
    title: 'a migration smuggled into another step',
    run: async (a) => smuggledMigrationAttack(a, await productionServer()),
  },
  destructive: {
    title: 'a migration walked through every gate by one approver',
    run: async (a) => approvalAttack(a, await productionServer()),
  },
  thread_reply: { title: 'text written in the workflow thread', run: threadReplyAttack },
  ci_file: { title: 'a CI file proposed by the devops-engineer', run: ciFileAttack },
  slack_forgery: { title: 'a forged or replayed Slack request', run: slackForgeryAttack },
};

const kinds = (Object.keys(DRIVERS) as AttackKind[]).filter((kind) => ATTACKS.some((a) => a.kind === kind));

describe.each(kinds.map((kind) => [DRIVERS[kind].title, kind] as const))('%s', (_title, kind) => {
  const run = DRIVERS[kind].run as (attack: Attack) => Promise<void>;
  test.each(ATTACKS.filter((a) => a.kind === kind))('$name', (attack) => run(attack));
});
