import type { Gate, Step, Workflow } from '../domain/records';
import { GATES } from '../domain/gate-kinds';
import type { SlackMessage } from '../domain/message';
import { context, escapeMrkdwn, progressBar, section, slackDate, user, shorten } from './format';

/**
 * The usage text, shown for help, empty input and unknown subcommands. `prefix` is how the person
 * addresses the bot where they asked: `/infra` (the default), the bot's mention, or nothing in its DM.
 */
export function helpMessage(note?: string, prefix = '/infra'): SlackMessage {
  const p = prefix ? `${prefix} ` : '';
  const usage = [
    `*\`${p}<request>\`* — start a workflow, e.g. \`${p}Add a new table for user preferences\``,
    `*\`${p}status <id>\`* — where workflow #id is`,
    `*\`${p}list\`* — active workflows`,
    `*\`${p}metrics [7d|30d]\`* — the five delivery metrics of the last 7 (or 30) days`,
    `*\`${p}cancel <id>\`* — stop a workflow (the requester or an approver)`,
    `*\`${p}help\`* — this text`,
    prefix === '/infra'
      ? 'Or mention me (`@infra <request>`, `@infra status <id>`, …) in a channel I am in, or write to me ' +
        "directly: a request's workflow then runs in that message's thread."
      : "A request's workflow runs in this message's thread. `/infra <request>` works too, in any channel I am in.",
  ].join('\n');
  return {
    text: `${note ? `${note} ` : ''}Usage: ${p}<request> | status <id> | list | cancel <id> | help | metrics [7d|30d]`,
    blocks: [...(note ? [section(note)] : []), section(usage)],
  };
}

export function errorMessage(text: string): SlackMessage {
  return { text: escapeMrkdwn(text), blocks: [section(`:warning: ${escapeMrkdwn(text)}`)] };
}

/** Like errorMessage, for the bot's own mrkdwn (mentions such as `<@U…>` must stay links, so no escaping). */
export function refusalMessage(mrkdwn: string): SlackMessage {
  return { text: mrkdwn, blocks: [section(`:warning: ${mrkdwn}`)] };
}

export function noticeMessage(text: string): SlackMessage {
  return { text, blocks: [section(text)] };
}

/** `inThread`: an @mention's workflow, which lives in the mention's thread. */
export function acceptedMessage(workflowId: number, inThread = false): SlackMessage {
  const where = inThread ? 'this thread' : 'the thread that appears in this channel';
  return noticeMessage(`Got it: workflow #${workflowId} is being planned. Follow it in ${where}.`);
}

function stepIcon(state: Step['state']): string {
  return {
    pending: ':white_circle:',
    running: ':large_blue_circle:',
    waiting_reply: ':speech_balloon:',
    succeeded: ':white_check_mark:',
    failed: ':x:',
    skipped: ':fast_forward:',
    cancelled: ':heavy_multiplication_x:',
  }[state];
}

/** A step's earlier attempts: each one an approver sent back with Request changes, and why. */
function attemptLines(sentBack: Gate[]): string {
  return sentBack
    .map(
      (g) =>
        `\n      :repeat: attempt ${g.attempt}: changes requested by ${g.decided_by ? user(g.decided_by) : 'an approver'}` +
        (g.reason ? ` — “${escapeMrkdwn(shorten(g.reason, 200))}”` : ''),
    )
    .join('');
}

/** `/infra status <id>`: state, progress, each step, open gate, link to the thread. */
export function statusMessage(workflow: Workflow, steps: Step[], gates: Gate[], permalink?: string): SlackMessage {
  const done = steps.filter((s) => s.state === 'succeeded').length;
  const open = gates.find((g) => g.state === 'open');
  const lines = steps.map(
    (s, i) =>
      `${stepIcon(s.state)} \`[${i + 1}/${steps.length}]\` ${s.agent ?? 'engine'} — ${escapeMrkdwn(s.title)}` +
      (s.attempt > 1 ? ` · attempt ${s.attempt}` : '') +
      attemptLines(gates.filter((g) => g.step_id === s.id && g.state === 'changes_requested')),
  );
  return {
    text: `Workflow #${workflow.id} is ${workflow.state.replace('_', ' ')}`,
    blocks: [
      section(
        `*Workflow #${workflow.id}* · ${escapeMrkdwn(workflow.plan?.title ?? 'planning')} · ` +
          `*${workflow.state.replace('_', ' ')}*` +
          (steps.length ? `   \`${progressBar(done, steps.length)}\`` : '') +
          `\n>${escapeMrkdwn(shorten(workflow.request, 500))}`,
      ),
      ...(lines.length ? [section(lines.join('\n'))] : []),
      ...(open
        ? [section(`:raised_hand: Waiting at gate *${GATES[open.kind].stage}: ${GATES[open.kind].title}*`)]
        : []),
      ...(workflow.error ? [section(`:x: ${escapeMrkdwn(workflow.error)}`)] : []),
      context(
        `Requested by ${user(workflow.requester)} on ${slackDate(workflow.created_at)}`,
        permalink ? `<${permalink}|Open the thread>` : 'in its thread',
      ),
    ],
  };
}

/** `/infra list`: the active workflows, one line each. */
export function listMessage(workflows: Workflow[]): SlackMessage {
  if (!workflows.length) return noticeMessage('No active workflows. Start one with `/infra <request>`.');
  const lines = workflows.map(
    (w) =>
      `*#${w.id}* · ${w.state.replace('_', ' ')} · ${escapeMrkdwn(w.plan?.title ?? 'planning')} ` +
      `· ${user(w.requester)} — ${escapeMrkdwn(shorten(w.request, 80))}`,
  );
  return {
    text: `${workflows.length} active workflow(s)`,
    blocks: [section(`*Active workflows*\n${lines.join('\n')}`)],
  };
}
