/** Before a step's next attempt (Request changes), the branch goes back to what the earlier steps left on it. */
import type { Pool } from 'pg';
import { discardAttempt } from '../../src/changes/actions/discard-attempt';
import type { ChangeTarget } from '../../src/changes/targets/change-target';
import { migrationHash } from '../../src/changes/sql/migration-hash';
import { handoffSchema } from '../../src/domain/handoff';
import type { Step } from '../../src/domain/records';
import { createLogger } from '../../src/logger';
import { recordEvent } from '../../src/store/events';
import { getWorkflow } from '../../src/store/workflows-repo';
import { branchWorkflowPerTest } from './branch-workflow-fixture';
import { hasTable, type TestTarget } from './test-target';

const earlier = {
  name: 'create_addresses',
  up_sql: 'create table public.addresses (id int primary key);',
  down_sql: 'drop table public.addresses;',
};
const handoff = (migration: { name: string; up_sql: string; down_sql: string }) =>
  handoffSchema.parse({ summary: 's', context: 'c', migration });

describe('discarding the previous attempt on the branch', () => {
  let target: TestTarget;
  let pool: Pool;
  let workflowId: number;
  const fixture = branchWorkflowPerTest();
  beforeEach(() => {
    ({ target, pool, workflowId } = fixture);
  });

  async function tried(stepId: number, migration: typeof earlier): Promise<void> {
    await recordEvent(pool, workflowId, 'migration_tested', null, {
      step_id: stepId,
      sha256: migrationHash(migration),
    });
  }

  it('runs the sent-back migration’s down SQL, keeping what the earlier steps applied', async () => {
    const branch = await target.provider.createBranch(workflowId);
    const previous = {
      name: 'create_settings',
      up_sql: 'create table public.settings (id int);',
      down_sql: 'drop table public.settings;',
    };
    for (const m of [earlier, previous]) await target.provider.runSql(branch, m.up_sql, { readOnly: false });
    await tried(1, earlier);
    await tried(2, previous);
    const workflow = (await getWorkflow(pool, workflowId))!;
    const said = await discardAttempt(
      { pool, logger: createLogger('silent'), target: { provider: target.provider } as unknown as ChangeTarget },
      { workflow, step: { id: 2, attempt: 2 } as Step, previous: handoff(previous), earlier: [handoff(earlier)] },
    );
    expect(said).toBe("The previous attempt's migration create_settings was rolled back on the test branch.");
    expect(await hasTable(branch.databaseUrl, 'public.settings')).toBe(false);
    expect(await hasTable(branch.databaseUrl, 'public.addresses')).toBe(true);
  });

  it('makes the branch again with the earlier steps’ migrations when the down SQL fails', async () => {
    const branch = await target.provider.createBranch(workflowId);
    const previous = {
      name: 'create_settings',
      up_sql: 'create table public.settings (id int);',
      down_sql: 'drop table public.no_such_table;',
    };
    for (const m of [earlier, previous]) await target.provider.runSql(branch, m.up_sql, { readOnly: false });
    await tried(1, earlier);
    await tried(2, previous);
    const workflow = (await getWorkflow(pool, workflowId))!;
    const said = await discardAttempt(
      { pool, logger: createLogger('silent'), target: { provider: target.provider } as unknown as ChangeTarget },
      { workflow, step: { id: 2, attempt: 2 } as Step, previous: handoff(previous), earlier: [handoff(earlier)] },
    );
    expect(said).toBe(
      "The test branch was made again from production, with the earlier steps' migrations create_addresses.",
    );
    const fresh = (await target.provider.getBranch(workflowId))!;
    expect(await hasTable(fresh.databaseUrl, 'public.settings')).toBe(false);
    expect(await hasTable(fresh.databaseUrl, 'public.addresses')).toBe(true);
  });

  it('leaves the branch alone when this attempt ran before and had already discarded the previous one', async () => {
    const branch = await target.provider.createBranch(workflowId);
    const previous = {
      name: 'create_settings',
      up_sql: 'create table public.settings (id int);',
      // Runs on any branch: a second discard would "succeed" and hide what the killed run left there.
      down_sql: 'drop table if exists public.settings;',
    };
    await tried(2, previous);
    await recordEvent(pool, workflowId, 'attempt_discarded', null, { step_id: 2, attempt: 2, how: 'down' });
    // The killed run of attempt 2 had created its own table before dying.
    await target.provider.runSql(branch, 'create table public.settings (id int, theme text);', { readOnly: false });
    const workflow = (await getWorkflow(pool, workflowId))!;
    const said = await discardAttempt(
      { pool, logger: createLogger('silent'), target: { provider: target.provider } as unknown as ChangeTarget },
      { workflow, step: { id: 2, attempt: 2 } as Step, previous: handoff(previous), earlier: [] },
    );
    // Nothing is said or run twice; the branch test makes the branch again (interrupted-round-trip.test.ts).
    expect(said).toBeUndefined();
    expect(await hasTable(branch.databaseUrl, 'public.settings')).toBe(true);
  });
});
