/**
 * Change safety of a migration on a Supabase project through the Slack gates:
 * branch, round trip, advisors, merge, rollback, pending files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { textOf } from '../../dev/local-slack/block-text';
import type { FakeSupabaseApi } from '../support/fake-supabase-api';
import { type Db, type SupabaseProject, startSupabaseProject } from './supabase-project';
import { APPROVER, CHANNEL, Harness } from '../support/harness';
import { scriptSchemaChange, submit } from '../support/scripted-agents';

async function hasTable(pool: Pool, name: string): Promise<boolean> {
  const { rows } = await pool.query('select to_regclass($1) is not null as present', [name]);
  return rows[0].present as boolean;
}

describe('change safety on a Supabase project through the Slack gates', () => {
  let h: Harness;
  let project: SupabaseProject;
  let api: FakeSupabaseApi;
  let production: Db;
  let branches: Map<string, Db>;

  beforeEach(async () => {
    project = await startSupabaseProject();
    ({ api, production, branches } = project);
  });

  afterEach(async () => {
    await h?.close();
    await project.close();
  });

  it(
    'branches on Supabase, round-trips the migration there, shows the advisors, merges through the migrations endpoint after ' +
      'the last approval and rolls back on request',
    async () => {
      h = await Harness.start({
        env: {
          SUPABASE_ACCESS_TOKEN: api.accessToken,
          SUPABASE_PROJECT_REF: api.projectRef,
          SUPABASE_API_URL: api.baseUrl,
        },
        runtime: { supabasePollIntervalMs: 10 },
      });
      scriptSchemaChange(h.claude, ['backend-engineer']);
      h.claude.script('backend-engineer', [
        submit('backend-engineer', {
          smoke_tests: [{ name: 'preferences readable', sql: 'select count(*) from public.user_preferences' }],
        }),
      ]);
      await h.command('Add a new table for user preferences');
      const root = await h.root();
      const preflight = await h.waitForInThread(root, /Pre-flight checks/);
      expect(textOf(preflight)).toContain(`Supabase project ${api.projectRef} (branching) answers`);
      expect(textOf(preflight)).toMatch(/Pending migrations\* — none/);
      await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);

      const branchGate = await h.openGate(root, 'Branch Test');
      expect(textOf(branchGate)).toMatch(/Up applies on the branch/);
      expect(textOf(branchGate)).toMatch(/Down restores the schema/);
      expect(textOf(branchGate)).toMatch(/\n +• Added: table public\.user_preferences \(/);
      expect(textOf(branchGate)).toContain('*Risk: :large_green_circle: Low*');
      const branch = api.branchNamed('infra-wf-1')!;
      expect(branch).toBeDefined();
      expect(await hasTable(branches.get(branch.project_ref)!.pool, 'public.user_preferences')).toBe(true);
      expect(await hasTable(production.pool, 'public.user_preferences')).toBe(false);
      await h.click(branchGate, 'approve', APPROVER);

      const security = await h.openGate(root, 'Security');
      expect(textOf(security)).toContain('Advisor: Exposed Auth Users');
      expect(textOf(security)).toMatch(/RLS probes — not run: could not connect/);
      await h.click(security, 'approve', APPROVER);
      const smoke = await h.openGate(root, 'Smoke Test');
      expect(textOf(smoke)).toMatch(/Smoke: preferences readable — 1 row\(s\)/);
      expect(textOf(smoke)).toContain(
        `*What approving this gate does:* merges 1 migration(s) into Supabase project ${api.projectRef}, after taking a backup point`,
      );
      expect(api.requestsTo(`/v1/projects/${api.projectRef}/database/migrations`, 'POST')).toHaveLength(0);
      await h.click(smoke, 'approve', APPROVER);

      const merged = await h.waitForInThread(root, /Merged to production/);
      expect(textOf(merged)).toContain('Supabase physical backup of 2026-11-30T03:00:00.000Z');
      await h.waitForState('succeeded');
      expect(await hasTable(production.pool, 'public.user_preferences')).toBe(true);
      expect(api.migrations.get(api.projectRef)?.map((m) => m.name)).toEqual(['create_user_preferences']);
      const dir = join(h.workspace, 'supabase', 'migrations');
      const [file] = readdirSync(dir).filter((f) => f.endsWith('.sql'));
      expect(file).toMatch(/^\d{14}_create_user_preferences\.sql$/);
      expect(readFileSync(join(dir, file!), 'utf8')).toContain('create table public.user_preferences');
      await h.slack.waitFor(() => api.branchNamed('infra-wf-1') === undefined || undefined, {
        description: 'branch deleted',
      });

      const report = await h.waitForInThread(root, /Workflow complete/);
      api.productionSqlAllowed = true;
      await h.clickButton(report, 'workflow_rollback_production', APPROVER);
      await h.waitForInThread(root, /Rolled back by .* undid the migration create_user_preferences on production/);
      expect(await hasTable(production.pool, 'public.user_preferences')).toBe(false);
      expect((await production.pool.query('select name from supabase_migrations.schema_migrations')).rows).toEqual([]);
      expect(existsSync(join(dir, file!))).toBe(false);
      const rollbackSql = api.requestsTo(`/v1/projects/${api.projectRef}/database/query`, 'POST');
      expect(rollbackSql).toHaveLength(1);
      expect(JSON.stringify(rollbackSql[0]!.body)).toContain('drop table public.user_preferences');
      expect(api.unexpected).toEqual([]);
      h.slack.assertNoUnexpected();
      expect(h.slack.channelMessages(CHANNEL)).toHaveLength(1);
    },
  );

  it('stops before the first step when a migration file is not applied to the project', async () => {
    h = await Harness.start({
      env: {
        SUPABASE_ACCESS_TOKEN: api.accessToken,
        SUPABASE_PROJECT_REF: api.projectRef,
        SUPABASE_API_URL: api.baseUrl,
      },
      runtime: { supabasePollIntervalMs: 10 },
    });
    const dir = join(h.workspace, 'supabase', 'migrations');
    require('node:fs').mkdirSync(dir, { recursive: true });
    require('node:fs').writeFileSync(
      join(dir, '20261129120000_add_orders.sql'),
      'create table public.orders (id int);\n',
    );
    api.migrations.set(api.projectRef, [{ version: '20261101000000', name: 'made_in_dashboard' }]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    const preflight = await h.waitForInThread(root, /Pre-flight checks/);
    expect(textOf(preflight)).toContain('1 migration file(s) not applied to the target: 20261129120000_add_orders.sql');
    expect(textOf(preflight)).toMatch(
      /:warning: \*Migration history drift\* — 1 applied migration\(s\) have no file .*20261101000000 made_in_dashboard/,
    );
    await h.waitForState('failed');
    expect(api.branchNamed('infra-wf-1')).toBeUndefined();
  });
});
