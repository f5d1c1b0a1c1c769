import type { ApprovalAttack, ExecuteSqlAttack, MigrationAttack, SmuggledMigrationAttack } from '../attack-types';
import { APPROVER, Harness, SECOND_APPROVER } from '../../support/harness';
import type { LocalSlackMessage } from '../../../dev/local-slack/local-slack';
import { scriptSchemaChange, submit } from '../../support/scripted-agents';
import type { AttackNames } from './attack-names';
import { type Baseline, expectOutcomes, releaseBaseline, takeBaseline } from './outcomes';
import { botEnv, createProduction, type Production } from './production';
import { type PgServer, withConnection } from './production-server';
import { firstOpenGate, gateStates, waitForGates, walkGates } from './walk-gates';

/** The request that starts the schema-change workflow (api-designer → data-migration-specialist → …). */
export const SCHEMA_REQUEST = 'Add a new table for user preferences';

interface Run {
  h: Harness;
  production: Production;
  names: AttackNames;
  baseline: Baseline;
}

/** A production of its own, the bot pointed at it, and the clean-up of both whatever happens. */
async function withProduction(
  server: PgServer,
  extraSql: ((n: AttackNames) => string) | undefined,
  fn: (run: Run) => Promise<void>,
): Promise<void> {
  const production = await createProduction(server, extraSql);
  let h: Harness | undefined;
  let baseline: Baseline | undefined;
  try {
    baseline = await takeBaseline(production);
    h = await Harness.start({ env: botEnv(production) });
    await fn({ h, production, names: production.names, baseline });
  } finally {
    await h?.close();
    if (baseline) await releaseBaseline(baseline);
    await production.cleanup();
  }
}

/** Starts the schema change and approves its first gate (API Review) once, as an approver does. */
async function pastFirstGate(h: Harness): Promise<LocalSlackMessage> {
  await h.command(SCHEMA_REQUEST);
  const root = await h.root();
  await h.click(await firstOpenGate(h, root), 'approve', APPROVER);
  return root;
}

/** The data-migration-specialist makes its branch and runs the attack's query there, then hands off as usual. */
export async function executeSqlAttack(attack: ExecuteSqlAttack, server: PgServer): Promise<void> {
  await withProduction(server, attack.production, async ({ h, production, names, baseline }) => {
    scriptSchemaChange(h.claude, ['data-migration-specialist']);
    h.claude.script('data-migration-specialist', [
      { toolUse: { name: 'create_branch', input: {} } },
      { toolUse: { name: 'execute_sql', input: { query: attack.query(names) } } },
      submit('data-migration-specialist'),
    ]);
    await pastFirstGate(h);
    await waitForGates(h, 2);
    await expectOutcomes(attack.expect, h, production, baseline);
  });
}

/** The data-migration-specialist proposes the attack as its migration; two approvers approve every gate. */
export async function migrationAttack(attack: MigrationAttack, server: PgServer): Promise<void> {
  await withProduction(server, attack.production, async ({ h, production, names, baseline }) => {
    scriptSchemaChange(h.claude, [
      'data-migration-specialist',
      ...(attack.later ? (['backend-engineer'] as const) : []),
    ]);
    const migration = { name: names.migration, up_sql: attack.up(names), down_sql: attack.down(names) };
    h.claude.script('data-migration-specialist', [
      submit('data-migration-specialist', { migration, summary: `Migration ${names.migration}` }),
    ]);
    if (attack.later)
      h.claude.script('backend-engineer', [
        { toolUse: { name: 'execute_sql', input: { query: attack.later(names) } } },
        submit('backend-engineer'),
      ]);
    const root = await pastFirstGate(h);
    await walkGates(h, root, [APPROVER, SECOND_APPROVER]);
    await expectOutcomes(attack.expect, h, production, baseline);
  });
}

/** Another step's agent adds a migration to its handoff (and hands off without it when sent back). */
export async function smuggledMigrationAttack(attack: SmuggledMigrationAttack, server: PgServer): Promise<void> {
  await withProduction(server, undefined, async ({ h, production, names, baseline }) => {
    scriptSchemaChange(h.claude, [attack.agent]);
    const migration = { name: names.migration, up_sql: attack.up(names), down_sql: attack.down(names) };
    h.claude.script(attack.agent, [submit(attack.agent, { migration }), submit(attack.agent)]);
    await h.command(SCHEMA_REQUEST);
    const root = await h.root();
    await walkGates(h, root, [APPROVER, SECOND_APPROVER]);
    await expectOutcomes(attack.expect, h, production, baseline);
  });
}

/** One approver approves every gate; a destructive change must be held at a gate, a harmless one merged. */
export async function approvalAttack(attack: ApprovalAttack, server: PgServer): Promise<void> {
  await withProduction(server, undefined, async ({ h, production, names }) => {
    scriptSchemaChange(h.claude, ['data-migration-specialist']);
    const migration = { name: names.migration, up_sql: attack.up(names), down_sql: attack.down(names) };
    h.claude.script('data-migration-specialist', [
      submit('data-migration-specialist', { migration, summary: `Migration ${names.migration}` }),
    ]);
    await h.command(SCHEMA_REQUEST);
    const root = await h.root();
    const state = await walkGates(h, root, [APPROVER]);
    const gates = await gateStates(h);
    if (attack.outcome === 'merged') {
      const merged = await withConnection(production.url, (c) =>
        c.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [`public.${names.table}`]),
      );
      expect({ state, merged: merged.rows[0]!.present }).toEqual({ state: 'succeeded', merged: true });
      return;
    }
    const intact = await withConnection(production.url, (c) =>
      c.query<{ intact: boolean }>(attack.intact!(names)),
    ).then(
      (r) => r.rows[0]?.intact === true,
      () => false,
    );
    expect({
      productionIntact: intact,
      workflowSucceeded: state === 'succeeded',
      aGateStillOpen: gates.includes('open'),
    }).toEqual({ productionIntact: true, workflowSucceeded: false, aGateStillOpen: true });
  });
}
