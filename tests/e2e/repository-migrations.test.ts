/** GITHUB_REPOSITORY: merged migrations reach the repository as a pull request, and leave it on rollback. */
import { textOf } from '../../dev/local-slack/block-text';
import { APPROVER, Harness, SECOND_APPROVER } from '../support/harness';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github';
import { scriptSchemaChange } from '../support/scripted-agents';
import { walkGates } from '../security/drivers/walk-gates';
import { createTestTarget, dropBranchesOf, hasTable, type TestTarget, withConnection } from '../changes/test-target';

const UP = /^supabase\/migrations\/(\d{14})_create_user_preferences\.sql$/;

describe('migrations delivered to the repository', () => {
  let h: Harness;
  let target: TestTarget;
  let github: FakeGitHub;
  beforeEach(async () => {
    target = await createTestTarget();
    github = await startFakeGitHub();
  });
  afterEach(async () => {
    await h?.close();
    await github.close();
    await dropBranchesOf(target);
    await target.cleanup();
  });

  async function start(): Promise<void> {
    h = await Harness.start({
      env: {
        TARGET_DATABASE_URL: target.url,
        GITHUB_TOKEN: github.token,
        GITHUB_REPOSITORY: github.repository,
        GITHUB_API_URL: github.apiUrl,
      },
      runtime: { githubRetryAfterBaseValue: 1 },
    });
    scriptSchemaChange(h.claude);
  }

  it(
    'opens a pull request adding the merged migration and its rollback file, links it in the thread, and ' +
      'opens the reverting pull request on Roll back production once it was merged',
    async () => {
      await start();
      await h.command('Add a new table for user preferences');
      const root = await h.root();
      expect(await walkGates(h, root, [APPROVER, SECOND_APPROVER])).toBe('succeeded');
      expect(await hasTable(target.url, 'public.user_preferences')).toBe(true);

      const link = await h.waitForInThread(root, /Pull request #1 adds the merged migration/);
      expect(textOf(link)).toContain(`https://github.com/${github.repository}/pull/1`);
      const [pull] = github.pulls;
      expect(pull).toMatchObject({ number: 1, head: 'infra-wf-1-migrations', base: 'main', state: 'open' });
      const files = github.files.get('infra-wf-1-migrations')!;
      const up = [...files.keys()].find((p) => UP.test(p))!;
      const version = UP.exec(up)![1]!;
      const { rows } = await withConnection(target.url, (c) =>
        c.query('SELECT version FROM supabase_migrations.schema_migrations'),
      );
      expect(rows).toEqual([{ version }]);
      expect(files.get(up)).toContain('create table public.user_preferences');
      expect(files.get(`supabase/rollbacks/${version}_create_user_preferences.down.sql`)).toMatch(/drop table/i);
      const opened = (await h.events()).filter((e) => e.type === 'migration_pr_opened');
      expect(opened).toHaveLength(1);

      // A person merges it on GitHub; then production is rolled back in Slack.
      github.mergePull(1);
      expect(github.files.get('main')!.has(up)).toBe(true);
      const report = await h.waitForInThread(root, /Workflow complete/);
      expect(JSON.stringify(report.blocks)).toContain(
        `<https://github.com/${github.repository}/pull/1|Migrations pull request #1>`,
      );
      await h.clickButton(report, 'workflow_rollback_production', APPROVER);
      // Production first, then the repository's record of it.
      await h.waitForInThread(
        root,
        /Rolled back by .* undid the migration create_user_preferences on production, (.*, )?the migrations pull request #1 on GitHub\./,
      );
      await h.slack.waitFor(
        () =>
          JSON.stringify(h.slack.message(report.channel, report.ts)!.blocks).includes('|Reverting pull request #2>'),
        { description: 'the report links the reverting pull request' },
      );
      expect(await hasTable(target.url, 'public.user_preferences')).toBe(false);
      const revert = github.pulls[1]!;
      expect(revert).toMatchObject({ number: 2, base: 'main', state: 'open' });
      expect(revert.title).toContain('Revert infra #1 migrations');
      const reverted = github.files.get(revert.head)!;
      expect([...reverted.keys()].filter((p) => p.startsWith('supabase/'))).toEqual([]);
      const { rows: events } = await h.pool.query(
        "SELECT data FROM events WHERE workflow_id = 1 AND type = 'migration_pr_reverted'",
      );
      expect(events.map((e) => e.data)).toEqual([
        { action: 'reverted', number: 2, url: `https://github.com/${github.repository}/pull/2`, reverts: 1, of: 1 },
      ]);
      expect(github.unexpected).toEqual([]);
      h.slack.assertNoUnexpected();
    },
  );

  it('closes the still-open migrations pull request when production is rolled back before anyone merged it', async () => {
    await start();
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    expect(await walkGates(h, root, [APPROVER, SECOND_APPROVER])).toBe('succeeded');
    const report = await h.waitForInThread(root, /Workflow complete/);
    await h.clickButton(report, 'workflow_rollback_production', APPROVER);
    await h.waitForInThread(root, /Rolled back by/);
    expect(github.pulls.map((p) => [p.number, p.state])).toEqual([[1, 'closed']]);
    expect(github.branches.has('infra-wf-1-migrations')).toBe(false);
    expect(github.unexpected).toEqual([]);
  });

  it('leaves the migrations pull request as it is when production could not be rolled back, and says why', async () => {
    await start();
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    expect(await walkGates(h, root, [APPROVER, SECOND_APPROVER])).toBe('succeeded');
    github.mergePull(1);
    // Someone built on the new table on production since: its down migration (drop table) is refused.
    await withConnection(target.url, (c) =>
      c.query('CREATE VIEW public.preferences_report AS SELECT user_id FROM public.user_preferences'),
    );
    const report = await h.waitForInThread(root, /Workflow complete/);
    await h.clickButton(report, 'workflow_rollback_production', APPROVER);
    const incomplete = textOf(await h.waitForInThread(root, /Rollback by .* is incomplete/));
    expect(incomplete).toContain('the migration create_user_preferences on production:');
    expect(incomplete).toContain(
      'the migrations pull request #1 on GitHub: left as it is, because a migration it adds is still on production',
    );
    expect(await hasTable(target.url, 'public.user_preferences')).toBe(true);
    expect(github.pulls.map((p) => [p.number, p.state, p.merged])).toEqual([[1, 'closed', true]]);
    expect(github.unexpected).toEqual([]);
  });

  it('stops at pre-flight when the default branch has a migration file production lacks, read through the API', async () => {
    github.files.set(
      'main',
      new Map([['supabase/migrations/20250101000000_add_audit_log.sql', 'create table x ();\n']]),
    );
    await start();
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.waitForState('failed');
    const preflight = await h.waitForInThread(root, /Pending migrations/);
    expect(textOf(preflight)).toContain('20250101000000_add_audit_log.sql');
    expect(github.requests).toContain(`GET /repos/${github.repository}/contents/supabase/migrations`);
    expect(github.writes).toEqual([]);
    expect(github.unexpected).toEqual([]);
  });
});
