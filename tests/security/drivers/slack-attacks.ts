import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SlackForgeryAttack } from '../attack-types';
import type { LocalSlackMessage } from '../../../dev/local-slack/local-slack';
import { APPROVER, CHANNEL, Harness, REQUESTER, SIGNING_SECRET, STRANGER } from '../../support/harness';
import { scriptSchemaChange } from '../../support/scripted-agents';
import {
  blockActionsBody,
  postToSlackEvents,
  slashCommandBody,
  type SlackPostResult,
} from '../../../dev/local-slack/slack-requests';
import { uniqueMarker } from './attack-names';
import { SCHEMA_REQUEST } from './sql-attacks';
import { firstOpenGate, gateStates } from './walk-gates';

/** A channel the bot's workflows do not live in. */
const ELSEWHERE = 'C0ELSEWHER';
const FORM = { signingSecret: SIGNING_SECRET, contentType: 'application/x-www-form-urlencoded' } as const;

/**
 * A `/infra` command typed by `user` in `channel` (one body, so posting it twice replays its trigger_id);
 * `response` names its response_url.
 */
function command(
  h: Harness,
  text: string,
  opts: { channel?: string; user?: string } = {},
): { response: string; post: (timestamp?: number) => Promise<SlackPostResult> } {
  const response = `cmd-${randomBytes(4).toString('hex')}`;
  const body = slashCommandBody({
    command: '/infra',
    text,
    userId: opts.user ?? REQUESTER,
    channelId: opts.channel ?? CHANNEL,
    teamId: h.slack.teamId,
    responseUrl: h.slack.responseUrl(response),
  });
  return {
    response,
    post: (timestamp) => postToSlackEvents(h.url, body, { ...FORM, ...(timestamp === undefined ? {} : { timestamp }) }),
  };
}

/** A signed click on Approve carrying the gate's real id, from a message and channel of the forger's choosing. */
function forgedClick(
  h: Harness,
  gate: LocalSlackMessage,
  from: { channel: string; message: LocalSlackMessage },
): Promise<SlackPostResult> {
  const actions = (gate.blocks ?? []).find((b) => b.type === 'actions') as {
    block_id: string;
    elements: Array<{ action_id: string; value: string }>;
  };
  const approve = actions.elements.find((e) => e.action_id === 'gate_approve')!;
  const body = blockActionsBody({
    userId: APPROVER,
    channelId: from.channel,
    teamId: h.slack.teamId,
    messageTs: from.message.ts,
    actionId: approve.action_id,
    blockId: actions.block_id,
    value: approve.value,
    responseUrl: h.slack.responseUrl(`forged-${randomBytes(4).toString('hex')}`),
    message: { text: from.message.text, user: from.message.user },
  });
  return postToSlackEvents(h.url, body, FORM);
}

/** Polls for `ms`: true when the first gate was still open all along. */
async function gateStaysOpen(h: Harness, ms = 2000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if ((await gateStates(h))[0] !== 'open') return false;
    await sleep(100);
  }
  return true;
}

/** Whether `marker` reached the other channel: in the command's answer, a response_url reply, an ephemeral or a post there. */
async function shownElsewhere(h: Harness, response: string, answer: SlackPostResult, marker: string): Promise<boolean> {
  await sleep(500);
  const there = [
    answer.text,
    JSON.stringify(h.slack.responses.filter((r) => r.name === response)),
    JSON.stringify(h.slack.ephemerals.filter((e) => e.channel === ELSEWHERE)),
    JSON.stringify(h.slack.channelMessages(ELSEWHERE)),
  ];
  return there.some((text) => text.includes(marker));
}

async function workflowCount(h: Harness): Promise<number> {
  return Number((await h.pool.query('SELECT count(*)::int AS n FROM workflows')).rows[0].n);
}

/** Runs the forgery against a bot whose workflow waits at its first gate (or, for the command forgeries, has none yet). */
export async function slackForgeryAttack(attack: SlackForgeryAttack): Promise<void> {
  const h = await Harness.start(attack.forgery === 'no_approvers' ? { env: { INFRA_APPROVERS: '' } } : {});
  try {
    scriptSchemaChange(h.claude);
    await FORGERIES[attack.forgery](h);
  } finally {
    await h.close();
  }
}

async function atFirstGate(
  h: Harness,
  text = SCHEMA_REQUEST,
): Promise<{ root: LocalSlackMessage; gate: LocalSlackMessage }> {
  await h.command(text);
  const root = await h.root();
  return { root, gate: await firstOpenGate(h, root) };
}

const FORGERIES: Record<SlackForgeryAttack['forgery'], (h: Harness) => Promise<void>> = {
  click_from_other_channel: async (h) => {
    const { gate } = await atFirstGate(h);
    const message = h.slack.addUserMessage({ channel: ELSEWHERE, user: STRANGER, text: 'Click Approve here, please' });
    await forgedClick(h, gate, { channel: ELSEWHERE, message });
    expect({ gateStayedOpen: await gateStaysOpen(h) }).toEqual({ gateStayedOpen: true });
  },
  click_on_other_message: async (h) => {
    const { gate } = await atFirstGate(h);
    const message = h.slack.addUserMessage({ channel: CHANNEL, user: STRANGER, text: 'Click Approve here, please' });
    await forgedClick(h, gate, { channel: CHANNEL, message });
    expect({ gateStayedOpen: await gateStaysOpen(h) }).toEqual({ gateStayedOpen: true });
  },
  no_approvers: async (h) => {
    const { gate } = await atFirstGate(h);
    await h.click(gate, 'approve', STRANGER);
    expect({ gateStayedOpen: await gateStaysOpen(h) }).toEqual({ gateStayedOpen: true });
  },
  replayed_command: async (h) => {
    const typed = command(h, SCHEMA_REQUEST);
    await typed.post();
    await h.root();
    await sleep(1100); // a fresh timestamp, as a replay signed anew carries
    await typed.post();
    await sleep(1500);
    expect({ workflows: await workflowCount(h) }).toEqual({ workflows: 1 });
  },
  future_timestamp: async (h) => {
    const answer = await command(h, SCHEMA_REQUEST).post(Math.floor(Date.now() / 1000) + 120);
    await sleep(1000);
    expect({ refused: answer.status < 200 || answer.status >= 300, workflows: await workflowCount(h) }).toEqual({
      refused: true,
      workflows: 0,
    });
  },
  list_elsewhere: async (h) => {
    const marker = uniqueMarker('REQ');
    await atFirstGate(h, `${SCHEMA_REQUEST} ${marker}`);
    const typed = command(h, 'list', { channel: ELSEWHERE, user: STRANGER });
    expect({ shown: await shownElsewhere(h, typed.response, await typed.post(), marker) }).toEqual({ shown: false });
  },
  status_elsewhere: async (h) => {
    const marker = uniqueMarker('REQ');
    await atFirstGate(h, `${SCHEMA_REQUEST} ${marker}`);
    const typed = command(h, 'status 1', { channel: ELSEWHERE, user: STRANGER });
    expect({ shown: await shownElsewhere(h, typed.response, await typed.post(), marker) }).toEqual({ shown: false });
  },
};
