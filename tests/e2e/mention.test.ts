/** `@infra …` over signed HTTP: a mention (or a DM) runs the same commands as `/infra`, in its own thread. */
import { randomBytes } from 'node:crypto';
import { textOf } from '../../dev/local-slack/block-text';
import { messageEventBody, postToSlackEvents, type SlackPostResult } from '../../dev/local-slack/slack-requests';
import type { LocalSlackMessage } from '../../dev/local-slack/local-slack';
import { APPROVER, CHANNEL, Harness, REQUESTER, SIGNING_SECRET } from '../support/harness';
import { scriptSchemaChange } from '../support/scripted-agents';
import { appMentionBody } from '../support/slack-fixtures';

const REQUEST = 'Add a new table for user preferences';
const DM = 'D0DIRECT01';

describe('@infra mentions over signed HTTP', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  /** The person posts `text` (in `threadTs`'s thread when given), then Slack sends `app_mention`. */
  async function mention(
    text: string,
    opts: { threadTs?: string; user?: string; eventId?: string; retryNum?: number; ts?: string } = {},
  ): Promise<{ posted: LocalSlackMessage; answer: SlackPostResult; eventId: string }> {
    const user = opts.user ?? REQUESTER;
    const full = `<@${h.slack.botUserId}> ${text}`;
    const posted = opts.ts
      ? h.slack.message(CHANNEL, opts.ts)!
      : h.slack.addUserMessage({ channel: CHANNEL, user, text: full, thread_ts: opts.threadTs });
    const eventId = opts.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
    const body = appMentionBody({
      eventId,
      teamId: h.slack.teamId,
      channelId: CHANNEL,
      userId: user,
      text: full,
      ts: posted.ts,
      threadTs: opts.threadTs,
      botUserId: h.slack.botUserId,
    });
    const answer = await postToSlackEvents(h.url, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/json',
      ...(opts.retryNum === undefined ? {} : { retryNum: opts.retryNum }),
    });
    return { posted, answer, eventId };
  }

  const ephemeralsTo = (user: string) => h.slack.ephemerals.filter((e) => e.user === user);

  it('starts the workflow in the mention’s thread: the root message, the plan and the first gate are replies there', async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude);
    const { posted, answer } = await mention(REQUEST);
    expect(answer.status).toBe(200);
    const gate = await h.openGate(posted, 'API Review');
    await h.waitForState('waiting_gate');
    const thread = h.thread(posted);
    expect(textOf(thread[0]!)).toContain(REQUEST);
    expect(thread.some((m) => /Database schema change/.test(textOf(m)))).toBe(true);
    // Nothing of the workflow reaches the channel itself: the mention is its only top-level message.
    expect(h.slack.channelMessages(CHANNEL).map((m) => m.ts)).toEqual([posted.ts]);
    const { rows } = await h.pool.query('SELECT id, requester, root_ts, root_message_ts FROM workflows');
    expect(rows).toEqual([{ id: '1', requester: REQUESTER, root_ts: posted.ts, root_message_ts: thread[0]!.ts }]);
    // The root message (the bot's reply) is what gets redrawn as the workflow moves on.
    expect(h.slack.message(CHANNEL, thread[0]!.ts)!.history.length).toBeGreaterThan(1);
    expect(ephemeralsTo(REQUESTER).map((e) => [e.text, e.thread_ts])).toEqual([
      [expect.stringContaining('workflow #1 is being planned. Follow it in this thread'), posted.ts],
    ]);
    // The gate in the mention's thread is decided as any other.
    expect((await h.click(gate, 'approve', APPROVER)).status).toBe(200);
    await h.waitForInThread(posted, /API Review.*approved/i);
    h.slack.assertNoUnexpected();
  });

  it('starts nothing a second time when Slack redelivers the same mention event', async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude);
    const first = await mention(REQUEST);
    const again = await mention(REQUEST, { ts: first.posted.ts, eventId: first.eventId, retryNum: 1 });
    expect(again.answer.status).toBe(200);
    await h.openGate(first.posted, 'API Review');
    const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM workflows');
    expect(rows[0].n).toBe(1);
    expect(ephemeralsTo(REQUESTER)).toHaveLength(1);
    h.slack.assertNoUnexpected();
  });

  it('answers `@infra help` with the usage as a mention types it, to the mentioning person only, and starts nothing', async () => {
    h = await Harness.start();
    const { posted, answer } = await mention('help');
    expect(answer.status).toBe(200);
    const help = await h.slack.waitFor(() => ephemeralsTo(REQUESTER)[0], { description: 'the help' });
    expect(help.text).toContain(`Usage: <@${h.slack.botUserId}> <request> | status <id>`);
    expect(textOf(help)).toContain(`<@${h.slack.botUserId}> Add a new table for user preferences`);
    expect(textOf(help)).toContain('`/infra <request>` works too');
    expect(help.thread_ts).toBe(posted.ts);
    expect(h.thread(posted)).toEqual([]);
    const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM workflows');
    expect(rows[0].n).toBe(0);
    h.slack.assertNoUnexpected();
  });

  it('answers `@infra status 1` as /infra status does', async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude);
    const started = await mention(REQUEST);
    await h.openGate(started.posted, 'API Review');
    await h.waitForState('waiting_gate');
    await mention('status 1', { user: APPROVER });
    const status = await h.slack.waitFor(() => ephemeralsTo(APPROVER)[0], { description: 'the status' });
    expect(status.text).toBe('Workflow #1 is waiting gate');
    h.slack.assertNoUnexpected();
  });

  it('refuses politely a second request in a thread that already belongs to a workflow', async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude);
    const first = await mention(REQUEST);
    await h.openGate(first.posted, 'API Review');
    await mention('Add another table for audit events', { threadTs: first.posted.ts, user: APPROVER });
    const refusal = await h.slack.waitFor(() => ephemeralsTo(APPROVER)[0], { description: 'the refusal' });
    expect(refusal.text).toContain('This thread belongs to workflow #1, so nothing was started');
    expect(refusal.thread_ts).toBe(first.posted.ts);
    const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM workflows');
    expect(rows[0].n).toBe(1);
    h.slack.assertNoUnexpected();
  });

  /** The person writes `text` in the bot's DM, then Slack sends the `message` event. */
  async function direct(text: string): Promise<{ posted: LocalSlackMessage; answer: SlackPostResult }> {
    const posted = h.slack.addUserMessage({ channel: DM, user: REQUESTER, text });
    const body = messageEventBody({
      eventId: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      teamId: h.slack.teamId,
      channelId: DM,
      userId: REQUESTER,
      text,
      ts: posted.ts,
      channelType: 'im',
    });
    const answer = await postToSlackEvents(h.url, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/json',
    });
    return { posted, answer };
  }

  it('answers `status` without an id in the bot’s DM with examples as they are typed there, without a prefix', async () => {
    h = await Harness.start();
    const { answer } = await direct('status');
    expect(answer.status).toBe(200);
    const help = await h.slack.waitFor(() => ephemeralsTo(REQUESTER)[0], { description: 'the help' });
    expect(help.text).toContain('`status` takes one workflow id, e.g. `status 12`.');
    expect(help.text).toContain('Usage: <request> | status <id>');
    expect(help.text).not.toContain('/infra status');
  });

  it('reads a message in the bot’s DM as a mention, and runs its workflow in that message’s thread', async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude);
    const { posted, answer } = await direct(REQUEST);
    expect(answer.status).toBe(200);
    await h.slack.waitFor(
      () => h.slack.thread(DM, posted.ts).find((m) => JSON.stringify(m.blocks ?? []).includes('gate_approve')),
      { description: 'the first gate in the DM thread' },
    );
    const { rows } = await h.pool.query('SELECT channel_id, root_ts FROM workflows');
    expect(rows).toEqual([{ channel_id: DM, root_ts: posted.ts }]);
    h.slack.assertNoUnexpected();
  });
});
