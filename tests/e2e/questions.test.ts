import { CHANNEL, Harness, REQUESTER, STRANGER } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import { scriptSchemaChange, submit } from '../support/scripted-agents';

describe('clarifying questions in the thread', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('posts the agent question mentioning the requester and resumes the same conversation with the answer', async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude, ['api-designer']);
    h.claude.script('api-designer', [
      { toolUse: { name: 'ask_user', input: { question: 'Which preferences should the table hold?' } } },
      submit('api-designer'),
    ]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    const question = await h.waitForInThread(root, /Which preferences should the table hold\?/);
    expect(textOf(question)).toContain(`<@${REQUESTER}>`);
    await h.waitForState('waiting_reply');
    await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, root.ts)).includes('Waiting for an answer'), {
      description: 'root shows the wait',
    });

    await h.reply(root, 'I think dark mode matters', STRANGER);
    await h.slack.waitFor(
      () => h.slack.ephemerals.find((e) => e.user === STRANGER && /can answer api-designer's question/.test(e.text)),
      { description: 'note to the stranger' },
    );
    expect(await h.workflowState()).toBe('waiting_reply');

    await h.reply(root, 'Theme and locale, nothing else', REQUESTER);
    await h.openGate(root, 'API Review');
    const [, resumed] = h.claude.requestsFor('api-designer');
    expect(resumed!.toolResults[0]!.text).toContain('Theme and locale, nothing else');
    expect(h.thread(root).filter((m) => textOf(m).startsWith('[1/5] Invoking api-designer...'))).toHaveLength(1);

    await h.click(await h.openGate(root, 'API Review'), 'approve', 'U0APPROVE1');
    await h.openGate(root, 'Branch Test');
    const firstMessage = JSON.stringify(h.claude.requestsFor('data-migration-specialist')[0]!.body.messages[0]);
    expect(firstMessage).not.toContain('I think dark mode matters');
  });
});

describe('an unanswered question', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it(
    'gets one reminder mentioning the requester, then stops the workflow with a clear message when INFRA_REPLY_TIMEOUT has ' +
      'passed',
    async () => {
      h = await Harness.start({ env: { INFRA_REPLY_TIMEOUT: '3s' } });
      h.claude.script('api-designer', [
        { toolUse: { name: 'ask_user', input: { question: 'Per user or per organisation?' } } },
      ]);
      await h.command('Add a new table for user preferences');
      const root = await h.root();
      await h.waitForInThread(root, /Per user or per organisation\?/);

      const reminder = await h.waitForInThread(root, /reminder: api-designer is still waiting for an answer/);
      expect(textOf(reminder)).toContain(`<@${REQUESTER}>`);
      expect(await h.workflowState()).toBe('waiting_reply');

      await h.waitForState('failed');
      const stopped = await h.waitForInThread(root, /Nobody answered api-designer's question within 3 s/);
      expect(textOf(stopped)).toMatch(/nothing was merged\. Start a new request with the answer in it\./);
      await h.waitForInThread(root, /Workflow failed/);
      expect(h.threadTexts(root).filter((t) => t.includes('still waiting for an answer'))).toHaveLength(1);
      h.claude.assertNoUnexpected();
    },
  );
});
