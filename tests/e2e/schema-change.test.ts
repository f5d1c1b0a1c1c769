import { APPROVER, CHANNEL, Harness, REQUESTER } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import { scriptSchemaChange } from '../support/scripted-agents';

describe('a schema change requested with /infra', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('runs all five steps in a thread, stopping at each gate until an approver clicks Approve', async () => {
    scriptSchemaChange(h.claude);
    const ack = await h.command('Add a new table for user preferences');
    expect(ack.status).toBe(200);

    const root = await h.root();
    expect(textOf(root)).toContain('Add a new table for user preferences');
    expect(textOf(root)).toContain(`<@${REQUESTER}>`);
    expect(textOf(root)).toContain('Database schema change');

    const plan = await h.waitForInThread(root, /Plan: Database schema change/);
    expect(textOf(plan)).toMatch(/changes a table or column/);

    const gates = ['API Review', 'Branch Test', 'Security', 'Smoke Test'];
    for (const title of gates) {
      const gate = await h.openGate(root, title);
      await h.click(gate, 'approve', APPROVER);
      await h.slack.waitFor(() => !JSON.stringify(h.slack.message(CHANNEL, gate.ts)?.blocks).includes('gate_approve'), {
        description: `${title} buttons removed`,
      });
      expect(textOf(h.slack.message(CHANNEL, gate.ts))).toContain(`Approved by <@${APPROVER}>`);
    }
    await h.waitForState('succeeded');
    await h.waitForInThread(root, /Workflow complete/);
    await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, root.ts)).includes('Succeeded'), {
      description: 'root shows success',
    });

    const texts = h.threadTexts(root);
    const headlines = texts.map((t) => t.match(/^\[\d\/5\] [^\n]*\.\.\./)?.[0]).filter(Boolean);
    expect(headlines).toEqual([
      '[1/5] Invoking api-designer...',
      '[2/5] Invoking data-migration-specialist...',
      '[3/5] Invoking backend-engineer...',
      '[4/5] Invoking devops-engineer...',
      '[5/5] Validation...',
    ]);
    expect(texts.join('\n')).toContain('Migration create_user_preferences with rollback');
    expect(texts.at(-1)).toContain('Workflow complete');
    expect(textOf(h.slack.message(CHANNEL, root.ts))).toContain('5/5');
    expect(h.slack.channelMessages(CHANNEL)).toHaveLength(1);

    // One message per step (its outcome, its handoff and its gate), one upload per step with files (the
    // plan document with the first), the plan (pre-flight under it) and the report: nothing said twice.
    const kinds = h.thread(root).map((m) => {
      const t = textOf(m);
      if (m.files?.length) return `files: ${m.files.map((f) => f.name).join(', ')}`;
      const step = /^\[(\d)\/5\]/.exec(t)?.[1];
      if (step) return t.includes('Quality gate') ? `step ${step} with its gate` : `step ${step}`;
      return t.split(/[:\n]/)[0];
    });
    expect(kinds).toEqual([
      'Plan',
      'step 1 with its gate',
      expect.stringMatching(/^files: preferences\.ts, INFRA-.*-wf1\.md$/),
      'step 2 with its gate',
      'step 3 with its gate',
      'files: preferences.ts',
      'step 4',
      'files: migrations.yml',
      'step 5 with its gate',
      expect.stringMatching(/^files: INFRA-REPORT-.*-wf1\.md$/),
      'Workflow #1 succeeded with 4 things not done',
    ]);
    expect(kinds.length).toBeLessThanOrEqual(12);
    expect(textOf(h.thread(root)[0])).toContain('Pre-flight checks passed');
    h.slack.assertNoUnexpected();
    h.claude.assertNoUnexpected();
  });
});
