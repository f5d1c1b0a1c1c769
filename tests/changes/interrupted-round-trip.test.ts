/** A round trip whose worker was killed half-way: the next run starts from a branch nobody has touched since. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { tryMigration } from '../../src/changes/actions/migration-branch-test';
import type { ChangeTarget } from '../../src/changes/targets/change-target';
import { migrationHash } from '../../src/changes/sql/migration-hash';
import { handoffSchema } from '../../src/domain/handoff';
import type { Step } from '../../src/domain/records';
import type { StepActionContext } from '../../src/engine/ports/step-actions';
import { createLogger } from '../../src/logger';
import { listEvents, recordEvent } from '../../src/store/events';
import { getWorkflow } from '../../src/store/workflows-repo';
import { branchWorkflowPerTest } from './branch-workflow-fixture';
import { hasTable, type TestTarget } from './test-target';

const earlier = {
  name: 'create_addresses',
  up_sql: 'create table public.addresses (id int primary key);',
  down_sql: 'drop table public.addresses;',
};
const settings = {
  name: 'create_settings',
  up_sql: 'create table public.settings (id int primary key, theme text not null);',
  down_sql: 'drop table public.settings;',
};
const handoff = (migration: typeof earlier) => handoffSchema.parse({ summary: 's', context: 'c', migration });

describe('a branch test that runs again after its worker died', () => {
  let target: TestTarget;
  let pool: Pool;
  let workflowId: number;
  let workspaceDir: string;
  const fixture = branchWorkflowPerTest();
  beforeEach(() => {
    ({ target, pool, workflowId } = fixture);
    workspaceDir = mkdtempSync(join(tmpdir(), 'infra-interrupted-'));
  });
  afterEach(async () => {
    rmSync(workspaceDir, { recursive: true, force: true });
  });

  async function context(stepId: number): Promise<StepActionContext> {
    return {
      workflow: (await getWorkflow(pool, workflowId))!,
      step: { id: stepId, idx: 1, attempt: 1 } as Step,
      handoff: handoff(settings),
      earlierHandoffs: [handoff(earlier)],
      logger: createLogger('silent'),
      compensate: async () => undefined,
    };
  }

  it('passes on a branch made again with the earlier steps’ migrations, when the killed run had applied its up', async () => {
    const branch = await target.provider.createBranch(workflowId);
    await target.provider.runSql(branch, earlier.up_sql, { readOnly: false });
    await recordEvent(pool, workflowId, 'migration_tested', null, { step_id: 1, sha256: migrationHash(earlier) });
    // The killed run: it said it started, its first up committed, and nothing more.
    await recordEvent(pool, workflowId, 'migration_test_started', null, {
      step_id: 2,
      sha256: migrationHash(settings),
    });
    await target.provider.runSql(branch, settings.up_sql, { readOnly: false });

    const deps = { pool, workspaceDir, target: { provider: target.provider } as unknown as ChangeTarget };
    const tried = await tryMigration(deps, await context(2), branch, settings);

    expect(tried.summary).toMatch(/^create_settings tried on branch .*: up \d+ ms, down \d+ ms/);
    const fresh = (await target.provider.getBranch(workflowId))!;
    expect(await hasTable(fresh.databaseUrl, 'public.addresses')).toBe(true);
    expect(await hasTable(fresh.databaseUrl, 'public.settings')).toBe(true);
    const types = (await listEvents(pool, workflowId)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['branch_deleted', 'branch_created', 'migration_test_started', 'migration_tested']),
    );
  });

  it('passes again when the killed run had finished its round trip, leaving the migration applied, before the step was done', async () => {
    const branch = await target.provider.createBranch(workflowId);
    await target.provider.runSql(branch, earlier.up_sql, { readOnly: false });
    await recordEvent(pool, workflowId, 'migration_tested', null, { step_id: 1, sha256: migrationHash(earlier) });
    const deps = { pool, workspaceDir, target: { provider: target.provider } as unknown as ChangeTarget };
    // The first run: its round trip passed (up again left the table there); then its worker was killed.
    await tryMigration(deps, await context(2), branch, settings);
    expect(await hasTable(branch.databaseUrl, 'public.settings')).toBe(true);

    // Seen in the chaos run before: 'relation "settings" already exists' at "up", and the workflow failed.
    const again = await tryMigration(deps, await context(2), (await target.provider.getBranch(workflowId))!, settings);

    expect(again.summary).toMatch(/^create_settings tried on branch .*: up \d+ ms, down \d+ ms/);
    const fresh = (await target.provider.getBranch(workflowId))!;
    expect(await hasTable(fresh.databaseUrl, 'public.addresses')).toBe(true);
    expect(await hasTable(fresh.databaseUrl, 'public.settings')).toBe(true);
    const types = (await listEvents(pool, workflowId)).map((e) => e.type);
    expect(types.filter((t) => t === 'migration_tested')).toHaveLength(3);
    expect(types).toContain('branch_deleted');
  });

  it('leaves the branch alone when every earlier round trip of the step finished', async () => {
    const branch = await target.provider.createBranch(workflowId);
    await target.provider.runSql(branch, earlier.up_sql, { readOnly: false });
    const deps = { pool, workspaceDir, target: { provider: target.provider } as unknown as ChangeTarget };
    await tryMigration(deps, await context(2), branch, settings);
    const types = (await listEvents(pool, workflowId)).map((e) => e.type);
    expect(types).not.toContain('branch_deleted');
    expect(types.filter((t) => t === 'migration_tested')).toHaveLength(1);
  });
});
