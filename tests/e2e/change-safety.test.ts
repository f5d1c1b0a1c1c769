import type { ActionsBlock, Button } from '@slack/types';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { APPROVER, CHANNEL, Harness, SECOND_APPROVER, STRANGER } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import { scriptSchemaChange, submit } from '../support/scripted-agents';
import {
  branchDatabasesOf,
  createTestTarget,
  dropBranchesOf,
  hasTable,
  noBranchesLeft,
  type TestTarget,
  withConnection,
} from '../changes/test-target';

function branchDatabases(target: TestTarget): Promise<string[]> {
  return branchDatabasesOf(target);
}

/** `<relative path> <octal mode>` of every file, and `dir <path> <mode>` of every folder, under the workspace (itself `dir . 700`). */
function workspaceModes(root: string): string[] {
  const out = [`dir . ${(statSync(root).mode & 0o777).toString(8)}`];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const mode = (statSync(path).mode & 0o777).toString(8);
      const relative = path.slice(root.length + 1);
      if (entry.isDirectory()) {
        out.push(`dir ${relative} ${mode}`);
        walk(path);
      } else {
        out.push(`${relative} ${mode}`);
      }
    }
  };
  walk(root);
  return out;
}

describe('change safety through the Slack gates', () => {
  let h: Harness;
  let target: TestTarget;
  beforeEach(async () => {
    target = await createTestTarget();
  });
  afterEach(async () => {
    await h.close();
    await dropBranchesOf(target);
    await target.cleanup();
  });

  it(
    'branches, lints and round-trips the migration, audits RLS, merges to the target only after the last approval, and rolls ' +
      'production back on request',
    async () => {
      h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url } });
      scriptSchemaChange(h.claude, ['backend-engineer']);
      const smoke_tests = [
        { name: 'preferences readable', sql: 'select count(*) from public.user_preferences' },
        { name: 'legacy view readable', sql: 'select * from public.no_such_view' },
      ];
      h.claude.script('backend-engineer', [submit('backend-engineer', { smoke_tests })]);
      await h.command('Add a new table for user preferences');
      const root = await h.root();
      await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);

      const branchGate = await h.openGate(root, 'Branch Test');
      const checks = textOf(branchGate);
      expect(checks).toMatch(/Up applies on the branch/);
      expect(checks).toMatch(/Down restores the schema/);
      expect(checks).toMatch(/Up applies again/);
      expect(checks).toMatch(/Lint \(squawk\)/);
      // What the approver decides on, in the gate itself: the risk and why, the SQL, the diff as a list.
      expect(checks).toContain(
        '*Risk: :large_green_circle: Low* — additive only: nothing is dropped, rewritten or locked on an existing table',
      );
      expect(checks).toMatch(
        /\*Up SQL: create_user_preferences\* — 4 statement\(s\)\n```\ncreate table public\.user_preferences/,
      );
      expect(checks).toMatch(
        /\*Down SQL \(rollback\)\* — 1 statement\(s\)\n```\ndrop table public\.user_preferences;\n```/,
      );
      expect(checks).toContain('Schema diff — 4 added, 0 removed, 0 changed\n');
      expect(checks).toMatch(/\n +• Added: table public\.user_preferences \(/);
      expect(await branchDatabases(target)).toHaveLength(1);
      expect(await hasTable(target.url, 'public.user_preferences')).toBe(false);

      await h.click(branchGate, 'approve', APPROVER);
      const security = await h.openGate(root, 'Security');
      expect(textOf(security)).toMatch(/RLS|anon/);
      await h.click(security, 'approve', APPROVER);
      const smoke = await h.openGate(root, 'Smoke Test');
      expect(textOf(smoke)).toMatch(/:white_check_mark: Smoke: preferences readable — 1 row\(s\)/);
      expect(textOf(smoke)).toMatch(
        /Backup point — a pg_dump of the target, taken just before the merge into .*backups/,
      );
      expect(textOf(smoke)).toMatch(/:x: Smoke: legacy view readable — .*no_such_view/);
      expect(await hasTable(target.url, 'public.user_preferences')).toBe(false);
      expect(textOf(smoke)).toMatch(
        /\*What approving this gate does:\* merges 1 migration\(s\) into the Postgres database [^\n]+, after taking a backup point/,
      );
      expect(textOf(smoke)).toContain('• Migration create_user_preferences (from ');
      expect(textOf(smoke)).toContain('*Risk: :large_green_circle: Low* — additive only');
      expect(textOf(smoke)).toContain('```\ncreate table public.user_preferences');
      // Every button that changes production asks first, naming what it does.
      const gateButtons = (smoke.blocks!.find((b) => b.type === 'actions') as unknown as ActionsBlock)
        .elements as Button[];
      const confirms = Object.fromEntries(gateButtons.map((b) => [b.text.text, b.confirm!]));
      expect(confirms.Approve).toMatchObject({
        title: { text: 'Approve and merge to production?' },
        text: { text: expect.stringContaining('merges 1 migration(s) into the Postgres database') },
        style: 'danger',
      });
      expect(confirms.Override!.text!.text).toContain('Once both have, this gate is approved: merges 1 migration(s)');
      expect(confirms.Rollback!.text!.text).toContain('Nothing has been merged to production yet');
      await h.click(smoke, 'approve', APPROVER);
      await h.slack.waitFor(
        () =>
          h.slack.ephemerals.find((e) =>
            /Approve is refused: 1 check\(s\) failed: Smoke: legacy view readable/.test(e.text),
          ),
        { description: 'blocked approval' },
      );
      expect(await hasTable(target.url, 'public.user_preferences')).toBe(false);
      for (const [who, why] of [
        [APPROVER, 'The legacy view is dropped on purpose'],
        [SECOND_APPROVER, 'Agreed: nothing reads it'],
      ] as const) {
        await h.clickButton(h.slack.message(CHANNEL, smoke.ts)!, 'gate_override', who);
        await h.waitForInThread(root, new RegExp(`<@${who}>, reply in this thread with your reason`));
        await h.reply(root, why, who);
      }

      const merged = await h.waitForInThread(root, /Merged to production/);
      expect(textOf(merged)).toContain('create_user_preferences');
      expect(textOf(merged)).toMatch(/backup-.*\.dump/);
      await h.waitForState('succeeded');
      expect(await hasTable(target.url, 'public.user_preferences')).toBe(true);
      const modes = workspaceModes(h.workspace);
      expect(
        modes.some((m) => /^backups\/backup-.*\.dump 600$/.test(m)) &&
          modes.some((m) => /^validations\/migration-test-.* 600$/.test(m)),
      ).toBe(true);
      expect(modes.filter((m) => (m.startsWith('dir ') ? !m.endsWith(' 700') : !m.endsWith(' 600')))).toEqual([]);
      const history = await withConnection(target.url, (c) =>
        c.query('SELECT name FROM supabase_migrations.schema_migrations'),
      );
      expect(history.rows).toEqual([{ name: 'create_user_preferences' }]);
      await noBranchesLeft(target);
      // The branch is dropped first and its event recorded just after: wait for the event, not a moment.
      const deadline = Date.now() + 10_000;
      while (!(await h.events()).some((e) => e.type === 'branch_deleted') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await h.events()).map((e) => e.type)).toEqual(
        expect.arrayContaining([
          'branch_created',
          'migration_tested',
          'backup_point',
          'migration_merged',
          'branch_deleted',
        ]),
      );

      const report = await h.waitForInThread(root, /Workflow complete/);
      const button = JSON.stringify(report.blocks);
      expect(button).toContain('Roll back production');
      expect(button).toContain('"confirm"');
      await h.clickButton(report, 'workflow_rollback_production', STRANGER);
      await h.slack.waitFor(
        () => h.slack.ephemerals.find((e) => e.user === STRANGER && /Only the approvers/.test(e.text)),
        { description: 'stranger refused' },
      );
      expect(await hasTable(target.url, 'public.user_preferences')).toBe(true);

      await h.clickButton(report, 'workflow_rollback_production', APPROVER);
      await h.waitForInThread(root, /Rolled back by .* undid the migration create_user_preferences on production/);
      expect(await hasTable(target.url, 'public.user_preferences')).toBe(false);
      const after = await withConnection(target.url, (c) =>
        c.query('SELECT name FROM supabase_migrations.schema_migrations'),
      );
      expect(after.rows).toEqual([]);
      await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, report.ts)).includes('Workflow rolled back'), {
        description: 'report shows the rollback',
      });
      expect(JSON.stringify(h.slack.message(CHANNEL, report.ts)!.blocks)).not.toContain('Roll back production');
      expect(await h.workflowState()).toBe('rolled_back');
    },
  );

  it('deletes the branch when someone clicks Rollback at the Branch Test gate', async () => {
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url } });
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    const gate = await h.openGate(root, 'Branch Test');
    expect(await branchDatabases(target)).toHaveLength(1);
    await h.click(gate, 'rollback', APPROVER);
    await h.waitForInThread(root, /Rolled back by .* undid the test branch/);
    await noBranchesLeft(target);
    expect(textOf(h.slack.message(CHANNEL, gate.ts))).toContain('Rolled back by');
  });

  it('removes an orphan branch whose workflow does not exist', async () => {
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url } });
    const provider = h.runtime.target!.provider;
    await provider.createBranch(4242);
    expect(await branchDatabases(target)).toHaveLength(1);
    await noBranchesLeft(target);
  });

  it('fails the workflow with a clear message when the target changed under the branch and the merge fails', async () => {
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url } });
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    for (const title of ['API Review', 'Branch Test', 'Security'])
      await h.click(await h.openGate(root, title), 'approve', APPROVER);
    const smoke = await h.openGate(root, 'Smoke Test');
    await withConnection(target.url, (c) => c.query('create table public.user_preferences (id int)'));
    await h.click(smoke, 'approve', APPROVER);
    const failure = await h.waitForInThread(root, /Merging to production failed/);
    expect(textOf(failure)).toContain('already exists');
    expect(textOf(failure)).toContain('Nothing was merged.');
    await h.waitForState('failed');
    const report = await h.waitForInThread(root, /Workflow failed/);
    expect(JSON.stringify(report.blocks)).not.toContain('Roll back production');
    const history = await withConnection(target.url, (c) =>
      c.query(`select count(*)::int as n from information_schema.tables where table_schema = 'supabase_migrations'`),
    );
    expect(history.rows[0].n).toBeLessThanOrEqual(1);
    await noBranchesLeft(target);
  });
});
