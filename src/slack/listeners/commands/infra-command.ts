import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { InfraError, NotAllowedError, RequestTooLongError } from '../../../domain/errors';
import { computeMetrics, computeToday } from '../../../metrics/metric-queries';
import { listGates } from '../../../store/gates-repo';
import { firstCommand } from '../../../store/slack-messages-repo';
import { listSteps } from '../../../store/steps-repo';
import { getWorkflow, insertWorkflow, listActiveWorkflows } from '../../../store/workflows-repo';
import { cancelWorkflow } from '../../../engine/cancel';
import {
  acceptedMessage,
  errorMessage,
  helpMessage,
  listMessage,
  MAX_REQUEST_LENGTH,
  noticeMessage,
  refusalMessage,
  statusMessage,
} from '../../../views/command-responses';
import { metricsMessage } from '../../../views/metrics-message';
import type { SlackMessage } from '../../../domain/message';
import type { ListenerDeps } from '../listener-deps';

/** The windows `/infra metrics` offers, in days. */
export type MetricDays = 7 | 30;

/** The fields of a slash command this bot relies on, validated at the boundary. */
const commandSchema = z.object({
  text: z.string(),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  team_id: z.string().min(1),
  trigger_id: z.string().min(1),
});

export type ParsedCommand =
  | { type: 'help'; note?: string }
  | { type: 'status' | 'cancel'; id: number }
  | { type: 'list' }
  | { type: 'metrics'; days: MetricDays }
  | { type: 'request'; text: string }
  | { type: 'invalid'; message: string };

/** Pure parsing of `/infra` text. */
export function parseCommand(raw: string): ParsedCommand {
  const text = raw.trim();
  if (!text)
    return { type: 'help', note: 'Tell me what you need, e.g. `/infra Add a new table for user preferences`.' };
  const [head = '', ...rest] = text.split(/\s+/);
  const word = head.toLowerCase();
  if (word === 'help' && rest.length === 0) return { type: 'help' };
  if (word === 'list' && rest.length === 0) return { type: 'list' };
  if (word === 'metrics') {
    const period = rest.length === 0 ? '7d' : rest.length === 1 ? rest[0]!.toLowerCase() : '';
    if (period !== '7d' && period !== '30d')
      return { type: 'help', note: '`/infra metrics` takes `7d` (the default) or `30d`, e.g. `/infra metrics 30d`.' };
    return { type: 'metrics', days: period === '7d' ? 7 : 30 };
  }
  if (word === 'status' || word === 'cancel') {
    const id = rest.length === 1 && /^#?\d{1,15}$/.test(rest[0]!) ? Number(rest[0]!.replace('#', '')) : 0;
    if (id <= 0) return { type: 'help', note: `\`/infra ${word}\` takes one workflow id, e.g. \`/infra ${word} 12\`.` };
    return { type: word, id };
  }
  if (text.length > MAX_REQUEST_LENGTH)
    return { type: 'invalid', message: new RequestTooLongError(text.length, MAX_REQUEST_LENGTH).message };
  if (text.split(/\s+/).length < 3)
    return {
      type: 'help',
      note: `I did not understand \`${text.slice(0, 50)}\`. A request is a sentence, e.g. \`/infra Add a new table for user preferences\`.`,
    };
  return { type: 'request', text };
}

const ephemeral = (m: SlackMessage) => ({ response_type: 'ephemeral' as const, text: m.text, blocks: m.blocks });

/**
 * `/infra`. A request is acked at once (Slack allows 3 s), then recorded and queued; everything else
 * happens in jobs. Bad input gets an ephemeral explanation and queues nothing. Each trigger_id is
 * recorded first, so a replayed signed command does nothing twice. `status` and `list` answer only
 * about workflows requested in the channel the command is typed in.
 */
export function infraCommand(deps: ListenerDeps) {
  return async ({ command, ack: slackAck, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    let acked = false;
    const ack: typeof slackAck = async (response?) => {
      acked = true;
      await slackAck(response);
    };
    const parsed = commandSchema.safeParse(command);
    if (!parsed.success) {
      await ack(ephemeral(errorMessage('Slack sent an incomplete command; please try again.')));
      return;
    }
    const { text, user_id: user, channel_id: channel, team_id: team, trigger_id: triggerId } = parsed.data;
    const cmd = parseCommand(text);
    try {
      if (!(await firstCommand(deps.pool, { triggerId, userId: user, channelId: channel }))) {
        deps.logger.warn({ user, channel }, 'replayed slash command ignored');
        return await ack(
          ephemeral(noticeMessage('This command was already received (same trigger_id); it was not run again.')),
        );
      }
      switch (cmd.type) {
        case 'help':
          return await ack(ephemeral(helpMessage(cmd.note)));
        case 'invalid':
          return await ack(ephemeral(errorMessage(cmd.message)));
        case 'list':
          return await ack(ephemeral(listMessage(await listActiveWorkflows(deps.pool, { channelId: channel }))));
        case 'metrics': {
          const window = { now: deps.now(), timeZone: deps.timeZone, days: cmd.days };
          const [current, previous, today] = await Promise.all([
            computeMetrics(deps.pool, window),
            computeMetrics(deps.pool, { ...window, back: 1 }),
            computeToday(deps.pool, window),
          ]);
          return await ack(ephemeral(metricsMessage(current, previous, today, deps.timeZone)));
        }
        case 'status': {
          const workflow = await getWorkflow(deps.pool, cmd.id);
          if (workflow?.channel_id !== channel)
            return await ack(
              ephemeral(
                errorMessage(
                  `There is no workflow #${cmd.id} in this channel. \`/infra list\` shows the active ones here.`,
                ),
              ),
            );
          const [steps, gates] = await Promise.all([listSteps(deps.pool, cmd.id), listGates(deps.pool, cmd.id)]);
          return await ack(ephemeral(statusMessage(workflow, steps, gates)));
        }
        case 'cancel':
          // Postgres and the queue only: the clean-up (Slack, the branch, GitHub) is the `cancel` job's.
          await ack();
          await respond(ephemeral(noticeMessage(await cancelWorkflow(deps.engine, cmd.id, user))));
          return;
        case 'request': {
          await ack();
          const workflow = await insertWorkflow(deps.pool, {
            request: cmd.text,
            requester: user,
            teamId: team,
            channelId: channel,
            target: deps.target,
          });
          await deps.engine.queue.enqueue({ name: 'plan', data: { workflowId: workflow.id } });
          await respond(ephemeral(acceptedMessage(workflow.id)));
          return;
        }
      }
    } catch (error) {
      const message =
        error instanceof InfraError
          ? error.message
          : 'Something went wrong on our side; nothing was started. Please try again in a minute.';
      if (!(error instanceof InfraError)) deps.logger.error({ err: error }, '/infra failed');
      // A refusal is the bot's own mrkdwn naming who may act: its mentions must stay links.
      const answer = error instanceof NotAllowedError ? refusalMessage(message) : errorMessage(message);
      if (!acked) await ack(ephemeral(answer));
      else await respond(ephemeral(answer)).catch((e) => deps.logger.error({ err: e }, 'could not respond'));
    }
  };
}
