/** Request changes at a gate, over signed Slack requests: the step runs again with the reason, the gate reopens. */
import { APPROVER, CHANNEL, Harness, STRANGER } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlackMessage } from '../../dev/local-slack/local-slack';
import { HANDOFFS, scriptSchemaChange, submit } from '../support/scripted-agents';
import {
  branchDatabasesOf,
  branchServerUrl,
  createTestTarget,
  dropBranchesOf,
  hasTable,
  type TestTarget,
  urlFor,
} from '../changes/test-target';

const REASON = 'Name the endpoint /v1/preferences and make theme nullable';

/** The text of a message the SDK sent as a string or as content blocks. */
function firstUserText(content: string | Array<Record<string, unknown>>): string {
  return typeof content === 'string'
    ? content
    : content.map((c) => (typeof c.text === 'string' ? c.text : '')).join('\n');
}

const buttonsOf = (m: LocalSlackMessage | undefined): string[] =>
  [...JSON.stringify(m?.blocks ?? []).matchAll(/"action_id":"(gate_[a-z_]+)"/g)].map((x) => x[1]!);

describe('Request changes at a gate', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('reruns the step with the approver’s reason and the previous attempt, and reopens the gate on the new result', async () => {
    h = await Harness.start({ env: { INFRA_MAX_STEP_ATTEMPTS: '2' } });
    scriptSchemaChange(h.claude, ['api-designer']);
    h.claude.script('api-designer', [
      submit('api-designer'),
      submit('api-designer', { summary: 'Contract revised: /v1/preferences, theme nullable' }),
    ]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    const first = await h.openGate(root, 'API Review');
    expect(buttonsOf(first)).toEqual(['gate_approve', 'gate_reject', 'gate_request_changes', 'gate_rollback']);

    // The same policy as Reject: someone who may not decide is told so, and nothing changes.
    await h.clickButton(first, 'gate_request_changes', STRANGER);
    await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === STRANGER), { description: 'refusal' });
    await h.reply(root, 'Rename everything', STRANGER);

    await h.clickButton(first, 'gate_request_changes', APPROVER);
    const ask = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === APPROVER), {
      description: 'reason asked',
    });
    expect(ask.text).toContain('Reply in this thread with what should change');
    expect(await h.workflowState()).toBe('waiting_gate');
    // Someone else's reply meanwhile is not taken as the reason, and they are told so, privately.
    await h.reply(root, 'Make every column nullable', STRANGER);
    const note = await h.slack.waitFor(
      () => h.slack.ephemerals.find((e) => e.user === STRANGER && e.text.includes('waiting for the reason')),
      { description: 'the note to the stranger' },
    );
    expect(note.text).toContain(
      `This thread is waiting for the reason of <@${APPROVER}> (Request changes), so your reply was kept as a comment`,
    );
    expect(await h.workflowState()).toBe('waiting_gate');
    await h.reply(root, REASON, APPROVER);

    const second = await h.slack.waitFor(
      () =>
        h
          .thread(root)
          .find((m) => m.ts !== first.ts && textOf(m).includes('API Review') && buttonsOf(m).includes('gate_approve')),
      { description: 'the API Review gate of attempt 2' },
    );
    const sentBack = textOf(h.slack.message(CHANNEL, first.ts));
    expect(sentBack).toContain(`Changes requested by <@${APPROVER}>`);
    expect(sentBack).toContain(`${REASON} — attempt 2 running`);
    expect(buttonsOf(h.slack.message(CHANNEL, first.ts))).toEqual([]);

    const requests = h.claude.requestsFor('api-designer');
    expect(requests).toHaveLength(2);
    const task = firstUserText(requests[1]!.body.messages[0]!.content);
    expect(task).toContain('# Changes requested (attempt 2)');
    expect(task).toContain(REASON);
    expect(task).toContain(`**Summary**: ${HANDOFFS['api-designer'].summary}`);
    expect(firstUserText(requests[0]!.body.messages[0]!.content)).not.toContain('Changes requested');
    expect(h.threadTexts(root).join('\n')).toContain('[1/5] Invoking api-designer... (attempt 2)');

    // The second attempt is the last INFRA_MAX_STEP_ATTEMPTS=2 allows: no button, and the gate says why.
    expect(buttonsOf(second)).toEqual(['gate_approve', 'gate_reject', 'gate_rollback']);
    expect(textOf(second)).toContain('Attempt 2 of this step');
    expect(textOf(second)).toContain('Request changes is not offered: this step has run 2 time(s)');

    const status = textOf((await h.command('status 1')).json as { blocks?: unknown[] });
    expect(status).toMatch(/`\[1\/5\]` api-designer — [^\n]* · attempt 2/);
    expect(status).toContain(`attempt 1: changes requested by <@${APPROVER}> — “${REASON}”`);

    for (const title of ['API Review', 'Branch Test', 'Security', 'Smoke Test']) {
      const gate = title === 'API Review' ? second : await h.openGate(root, title);
      await h.click(gate, 'approve', APPROVER);
    }
    await h.waitForState('succeeded');
    h.slack.assertNoUnexpected();
    h.claude.assertNoUnexpected();
  });
});

describe('Request changes on the branch test', () => {
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

  it('rolls the sent-back migration off the branch before the new one is tried, and merges only the new one', async () => {
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url } });
    scriptSchemaChange(h.claude, ['data-migration-specialist']);
    const settings = {
      name: 'create_user_settings',
      up_sql:
        'create table public.user_settings (user_id uuid primary key, theme text);\n' +
        'alter table public.user_settings enable row level security;\n' +
        'create policy "owner reads" on public.user_settings for select using (auth.uid() = user_id);',
      down_sql: 'drop table public.user_settings;',
    };
    h.claude.script('data-migration-specialist', [
      submit('data-migration-specialist'),
      submit('data-migration-specialist', { summary: 'Migration create_user_settings', migration: settings }),
    ]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    const first = await h.openGate(root, 'Branch Test');
    const [branch] = await branchDatabasesOf(target);
    const branchUrl = urlFor(branch!, branchServerUrl());
    expect(await hasTable(branchUrl, 'public.user_preferences')).toBe(true);

    await h.clickButton(first, 'gate_request_changes', APPROVER);
    await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === APPROVER), { description: 'reason asked' });
    await h.reply(root, 'Call it user_settings', APPROVER);
    const second = await h.slack.waitFor(
      () =>
        h
          .thread(root)
          .find((m) => m.ts !== first.ts && textOf(m).includes('Branch Test') && buttonsOf(m).includes('gate_approve')),
      { description: 'the Branch Test gate of attempt 2' },
    );
    expect(textOf(second)).toContain('Added: table public.user_settings');
    expect(await branchDatabasesOf(target)).toEqual([branch]);
    expect(await hasTable(branchUrl, 'public.user_preferences')).toBe(false);
    expect(await hasTable(branchUrl, 'public.user_settings')).toBe(true);
    expect(h.threadTexts(root).join('\n')).toContain(
      "The previous attempt's migration create_user_preferences was rolled back on the test branch.",
    );

    await h.click(second, 'approve', APPROVER);
    for (const title of ['Security', 'Smoke Test']) await h.click(await h.openGate(root, title), 'approve', APPROVER);
    await h.waitForState('succeeded');
    expect(await hasTable(target.url, 'public.user_settings')).toBe(true);
    expect(await hasTable(target.url, 'public.user_preferences')).toBe(false);
  });
});
