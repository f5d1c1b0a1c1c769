/** Outcomes that say what really happened: a step that could not do what its title says is reported as not done. */
import { APPROVER, CHANNEL, Harness } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import { SAMPLE_REQUESTS } from '../../dev/demo/sample-requests';
import { createTestTarget, dropBranchesOf, hasTable, type TestTarget } from '../changes/test-target';

const PROGRESS = SAMPLE_REQUESTS.find((s) => s.request === 'Create an API for progress tracking')!;

describe('a workflow whose Edge Function cannot be deployed', () => {
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

  it('ends "Succeeded with 1 thing not done", naming the function in the root and the report’s Not done', async () => {
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url } });
    for (const [agent, handoff] of Object.entries(PROGRESS.handoffs))
      h.claude.script(agent, [{ toolUse: { name: 'submit_handoff', input: handoff } }]);
    await h.command(PROGRESS.request);
    const root = await h.root();
    for (const title of ['API Review', 'Security', 'Smoke Test'])
      await h.click(await h.openGate(root, title), 'approve', APPROVER);
    await h.waitForState('succeeded');
    expect(await hasTable(target.url, 'public.lesson_progress')).toBe(true);

    const report = await h.waitForInThread(root, /Workflow complete/);
    expect(textOf(report)).toContain('Workflow complete* — with 1 thing not done');
    expect(textOf(report)).toMatch(
      /\*Not done\*\n• Edge Function progress not deployed: Edge Functions run only on a Supabase target/,
    );
    expect(report.text).toBe('Workflow #1 succeeded with 1 thing not done');
    const rootText = await h.slack.waitFor(
      () => {
        const t = textOf(h.slack.message(CHANNEL, root.ts));
        return t.includes('Succeeded with') && t;
      },
      { description: 'root says what was not done' },
    );
    expect(rootText).toContain('Succeeded with 1 thing not done: Edge Function progress not deployed');
    h.slack.assertNoUnexpected();
  });
});

describe('a workflow without a target', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('says in the step messages, the root and the report that nothing was tested, smoke-tested or merged', async () => {
    h = await Harness.start();
    for (const [agent, handoff] of Object.entries(SAMPLE_REQUESTS[0]!.handoffs))
      h.claude.script(agent, [{ toolUse: { name: 'submit_handoff', input: handoff } }]);
    await h.command(SAMPLE_REQUESTS[0]!.request);
    const root = await h.root();
    for (const title of ['API Review', 'Branch Test', 'Security', 'Smoke Test'])
      await h.click(await h.openGate(root, title), 'approve', APPROVER);
    await h.waitForState('succeeded');
    const report = textOf(await h.waitForInThread(root, /Workflow complete/));
    expect(report).toContain('with 4 things not done');
    expect(report).toContain('• Branch test: not run: no database is configured to branch from');
    expect(report).toContain(
      '• Nothing merged to production: no target is configured (create_user_preferences not applied)',
    );
    const migrationStep = h
      .thread(root)
      .find((m) => textOf(m).startsWith('[2/5] Invoking data-migration-specialist... done'));
    expect(textOf(migrationStep!)).toContain(':warning: *Not done:* Branch test — not run');
    await h.slack.waitFor(
      () => textOf(h.slack.message(CHANNEL, root.ts)).includes('Succeeded with 4 things not done'),
      {
        description: 'root counts what was not done',
      },
    );
  });
});
