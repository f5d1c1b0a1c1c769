import { APPROVER, CHANNEL, Harness, REQUESTER, SIGNING_SECRET, STRANGER } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlackMessage } from '../../dev/local-slack/local-slack';
import { scriptSchemaChange } from '../support/scripted-agents';
import {
  blockActionsBody,
  postToSlackEvents,
  slashCommandBody,
  type SlackPostResult,
} from '../../dev/local-slack/slack-requests';

const OTHER_CHANNEL = 'C0OTHER001';

/** A signed click Slack never sent for this message: any channel, any message ts, any button value. */
function forgeClick(
  h: Harness,
  click: { channel: string; messageTs: string; actionId: string; value: string; user: string },
): Promise<SlackPostResult> {
  const body = blockActionsBody({
    userId: click.user,
    channelId: click.channel,
    teamId: h.slack.teamId,
    messageTs: click.messageTs,
    actionId: click.actionId,
    blockId: 'forged',
    value: click.value,
    responseUrl: h.slack.responseUrl(`forged-${click.messageTs}-${click.actionId}`),
  });
  return postToSlackEvents(h.url, body, {
    signingSecret: SIGNING_SECRET,
    contentType: 'application/x-www-form-urlencoded',
  });
}

/** `/infra <text>` typed by `user` in `channel`, with a chosen trigger id. */
function command(
  h: Harness,
  text: string,
  opts: { user?: string; channel?: string; triggerId?: string; timestamp?: number } = {},
): Promise<SlackPostResult> {
  const body = slashCommandBody({
    command: '/infra',
    text,
    userId: opts.user ?? REQUESTER,
    channelId: opts.channel ?? CHANNEL,
    teamId: h.slack.teamId,
    responseUrl: h.slack.responseUrl(`cmd-${Math.random()}`),
    triggerId: opts.triggerId,
  });
  return postToSlackEvents(h.url, body, {
    signingSecret: SIGNING_SECRET,
    contentType: 'application/x-www-form-urlencoded',
    timestamp: opts.timestamp,
  });
}

const gateValue = (gate: LocalSlackMessage): string => {
  const actions = gate.blocks!.find((b) => b.type === 'actions') as {
    elements: Array<{ action_id: string; value: string }>;
  };
  return actions.elements.find((e) => e.action_id === 'gate_approve')!.value;
};

const ephemeralText = (r: SlackPostResult): string => textOf(r.json as { text?: string; blocks?: unknown });

describe('clicks bound to the message they decide', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  async function atFirstGate(env: Record<string, string> = {}) {
    h = await Harness.start({ env });
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    return { root, gate: await h.openGate(root, 'API Review') };
  }

  it('leaves the gate open when an approver’s signed click carrying its id comes from another channel', async () => {
    const { gate } = await atFirstGate();
    await forgeClick(h, {
      channel: OTHER_CHANNEL,
      messageTs: gate.ts,
      actionId: 'gate_approve',
      value: gateValue(gate),
      user: APPROVER,
    });
    const note = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === APPROVER), {
      description: 'refusal',
    });
    expect(note.text).toMatch(/not the gate's own message/);
    expect(await h.workflowState()).toBe('waiting_gate');
    expect(JSON.stringify(h.slack.message(CHANNEL, gate.ts)!.blocks)).toContain('gate_approve');
    expect((await h.events()).filter((e) => e.type === 'gate_refused')).toEqual([
      { type: 'gate_refused', actor: APPROVER },
    ]);
  });

  it('leaves the gate open when the click comes from another message of the same channel', async () => {
    const { root, gate } = await atFirstGate();
    await forgeClick(h, {
      channel: CHANNEL,
      messageTs: root.ts,
      actionId: 'gate_approve',
      value: gateValue(gate),
      user: APPROVER,
    });
    await h.slack.waitFor(
      () => h.slack.ephemerals.find((e) => e.user === APPROVER && /not the gate's own message/.test(e.text)),
      { description: 'refusal' },
    );
    expect(await h.workflowState()).toBe('waiting_gate');
    expect((await h.events()).map((e) => e.type)).toContain('gate_refused');
    expect((await h.events()).map((e) => e.type)).not.toContain('gate_approved');

    await h.click(gate, 'approve', APPROVER);
    await h.openGate(root, 'Branch Test');
  });

  it('refuses the report’s Roll back production when the click comes from another message', async () => {
    const { root } = await atFirstGate({ INFRA_APPROVERS: '*' });
    await command(h, 'cancel 1');
    const report = await h.waitForInThread(root, /Workflow cancelled/);
    await forgeClick(h, {
      channel: CHANNEL,
      messageTs: root.ts,
      actionId: 'workflow_rollback_production',
      value: '1',
      user: APPROVER,
    });
    const note = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === APPROVER), {
      description: 'refusal',
    });
    expect(note.text).toMatch(/not the report's own message/);
    expect((await h.events()).map((e) => e.type)).toContain('rollback_refused');

    await forgeClick(h, {
      channel: CHANNEL,
      messageTs: report.ts,
      actionId: 'workflow_rollback_production',
      value: '1',
      user: APPROVER,
    });
    await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === APPROVER && /merged nothing/.test(e.text)), {
      description: 'bound click reaches the rollback',
    });
  });
});

describe('who may decide without and with INFRA_APPROVERS', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('fails closed when INFRA_APPROVERS is unset: nobody can approve a gate or roll back, and the gate says how to set it', async () => {
    h = await Harness.start({ env: { INFRA_APPROVERS: '' } });
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    const gate = await h.openGate(root, 'API Review');
    expect(textOf(gate)).toMatch(/Nobody can decide this gate until INFRA_APPROVERS is set/);
    for (const user of [APPROVER, REQUESTER, STRANGER]) await h.click(gate, 'approve', user);
    await h.slack.waitFor(
      () => h.slack.ephemerals.filter((e) => /INFRA_APPROVERS/.test(e.text)).length === 3 || undefined,
      { description: 'three refusals' },
    );
    expect(await h.workflowState()).toBe('waiting_gate');
    expect((await h.events()).filter((e) => e.type === 'gate_refused')).toHaveLength(3);

    await command(h, 'cancel 1');
    const report = await h.waitForInThread(root, /Workflow cancelled/);
    await forgeClick(h, {
      channel: CHANNEL,
      messageTs: report.ts,
      actionId: 'workflow_rollback_production',
      value: '1',
      user: APPROVER,
    });
    const note = await h.slack.waitFor(
      () => h.slack.ephemerals.find((e) => e.user === APPROVER && /roll back/.test(e.text)),
      { description: 'rollback refused' },
    );
    expect(note.text).toMatch(/INFRA_APPROVERS/);
    expect((await h.events()).map((e) => e.type)).toContain('rollback_refused');
  });

  it('lets anyone decide with INFRA_APPROVERS=*, and says so on the gate', async () => {
    h = await Harness.start({ env: { INFRA_APPROVERS: '*' } });
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    const gate = await h.openGate(root, 'API Review');
    expect(textOf(gate)).toMatch(/Anyone in the channel may decide \(INFRA_APPROVERS=\*\)/);
    await h.click(gate, 'approve', STRANGER);
    await h.openGate(root, 'Branch Test');
    expect((await h.events()).filter((e) => e.type === 'gate_approved')).toEqual([
      { type: 'gate_approved', actor: STRANGER },
    ]);

    await command(h, 'cancel 1', { user: STRANGER });
    const report = await h.waitForInThread(root, /Workflow cancelled/);
    await forgeClick(h, {
      channel: CHANNEL,
      messageTs: report.ts,
      actionId: 'workflow_rollback_production',
      value: '1',
      user: STRANGER,
    });
    await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === STRANGER && /merged nothing/.test(e.text)), {
      description: 'stranger allowed to ask',
    });
  });
});

describe('signed requests that must not be replayed or pre-dated', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it(
    'starts one workflow for a slash command replayed with the same trigger_id, and tells ' +
      'the replay it was already received',
    async () => {
      h = await Harness.start();
      scriptSchemaChange(h.claude);
      const triggerId = '1234567890123.1234567890123.0123456789abcdef0123456789abcdef';
      const first = await command(h, 'Add a new table for user preferences', { triggerId });
      const replay = await command(h, 'Add a new table for user preferences', { triggerId });
      expect([first.status, replay.status]).toEqual([200, 200]);
      expect(ephemeralText(replay)).toMatch(/already received/);
      await h.root();
      await new Promise((r) => setTimeout(r, 300));
      expect(Number((await h.pool.query('select count(*) from workflows')).rows[0].count)).toBe(1);
    },
  );

  it('refuses a request stamped two minutes in the future with 401 and starts nothing', async () => {
    h = await Harness.start();
    const answer = await command(h, 'Add a new table for user preferences', {
      timestamp: Math.floor(Date.now() / 1000) + 120,
    });
    expect(answer.status).toBe(401);
    expect(Number((await h.pool.query('select count(*) from workflows')).rows[0].count)).toBe(0);
    expect((await command(h, 'help', { timestamp: Math.floor(Date.now() / 1000) + 30 })).status).toBe(200);
  });
});

describe('/infra status and list stay in their channel', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it("does not show channel A's workflow in channel B", async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    await h.openGate(await h.root(), 'API Review');

    expect(ephemeralText(await command(h, 'list'))).toContain('#1');
    expect(ephemeralText(await command(h, 'status 1'))).toContain('Workflow #1');
    const list = ephemeralText(await command(h, 'list', { channel: OTHER_CHANNEL }));
    expect(list).not.toContain('#1');
    expect(list).not.toContain('user preferences');
    const status = ephemeralText(await command(h, 'status 1', { channel: OTHER_CHANNEL }));
    expect(status).toMatch(/There is no workflow #1 in this channel/);
    expect(status).not.toContain('user preferences');
  });
});
