import { InfraError, NotAllowedError } from '../../../domain/errors';
import type { SlackMessage } from '../../../domain/message';
import { computeMetrics, computeToday } from '../../../metrics/metric-queries';
import { listGates } from '../../../store/gates-repo';
import { listSteps } from '../../../store/steps-repo';
import { findWorkflowByThread, getWorkflow, insertWorkflow, listActiveWorkflows } from '../../../store/workflows-repo';
import { cancelWorkflow } from '../../../engine/cancel';
import {
  acceptedMessage,
  errorMessage,
  helpMessage,
  listMessage,
  noticeMessage,
  refusalMessage,
  statusMessage,
} from '../../../views/command-responses';
import { metricsMessage } from '../../../views/metrics-message';
import type { ListenerDeps } from '../listener-deps';
import type { ParsedCommand } from './parse-command';

/** Who asked, where: a slash command, an @mention or a direct message. */
export interface CommandInput {
  user: string;
  channel: string;
  team: string;
  /**
   * The thread a request's workflow lives in (an @mention's thread); the bot's root message is posted
   * as a reply there. Unset for `/infra`: the root message starts a thread of its own in the channel.
   */
  threadTs?: string;
  /** How the person addressed the bot, for the usage text: `/infra` (default), a mention, or '' in a DM. */
  prefix?: string;
}

/** How the answer reaches the person: ephemeral, only they see it. */
export interface CommandAnswer {
  /** The answer (called once, or not at all when the work has nothing to say). */
  reply(message: SlackMessage): Promise<void>;
  /** Called before slow work (Slack wants a slash command acked within 3 s); a no-op for events. */
  started(): Promise<void>;
}

/** `list` as the person would type it where they asked. */
const listCommand = (prefix = '/infra'): string => (prefix ? `${prefix} list` : 'list');

/** A unique index refused a second workflow in the same thread. */
const isThreadTaken = (error: unknown): boolean =>
  (error as { code?: string; constraint?: string } | null)?.constraint === 'workflows_root';

/**
 * Runs a parsed `/infra` command, whichever way it came: the answer goes to `out`, bad input gets an
 * explanation and queues nothing. `status` and `list` answer only about workflows of the channel asked
 * in. A request records the workflow and queues its plan job; everything else happens in jobs.
 */
export async function runCommand(
  deps: ListenerDeps,
  cmd: ParsedCommand,
  input: CommandInput,
  out: CommandAnswer,
): Promise<void> {
  const { user, channel } = input;
  try {
    switch (cmd.type) {
      case 'help':
        return await out.reply(helpMessage(cmd.note, input.prefix));
      case 'invalid':
        return await out.reply(errorMessage(cmd.message));
      case 'list':
        return await out.reply(listMessage(await listActiveWorkflows(deps.pool, { channelId: channel })));
      case 'metrics': {
        const window = { now: deps.now(), timeZone: deps.timeZone, days: cmd.days };
        const [current, previous, today] = await Promise.all([
          computeMetrics(deps.pool, window),
          computeMetrics(deps.pool, { ...window, back: 1 }),
          computeToday(deps.pool, window),
        ]);
        return await out.reply(metricsMessage(current, previous, today, deps.timeZone));
      }
      case 'status': {
        const workflow = await getWorkflow(deps.pool, cmd.id);
        if (workflow?.channel_id !== channel)
          return await out.reply(
            errorMessage(
              `There is no workflow #${cmd.id} in this channel. \`${listCommand(input.prefix)}\` shows the active ones here.`,
            ),
          );
        const [steps, gates] = await Promise.all([listSteps(deps.pool, cmd.id), listGates(deps.pool, cmd.id)]);
        return await out.reply(statusMessage(workflow, steps, gates));
      }
      case 'cancel':
        // Postgres and the queue only: the clean-up (Slack, the branch, GitHub) is the `cancel` job's.
        await out.started();
        return await out.reply(noticeMessage(await cancelWorkflow(deps.engine, cmd.id, user)));
      case 'request': {
        await out.started();
        const refusal = input.threadTs && (await threadRefusal(deps, channel, input.threadTs));
        if (refusal) return await out.reply(errorMessage(refusal));
        const workflow = await insertWorkflow(deps.pool, {
          request: cmd.text,
          requester: user,
          teamId: input.team,
          channelId: channel,
          target: deps.target,
          ...(input.threadTs ? { rootTs: input.threadTs } : {}),
        });
        await deps.engine.queue.enqueue({ name: 'plan', data: { workflowId: workflow.id } });
        return await out.reply(acceptedMessage(workflow.id, input.threadTs !== undefined));
      }
    }
  } catch (error) {
    if (isThreadTaken(error) && input.threadTs)
      return out.reply(errorMessage((await threadRefusal(deps, channel, input.threadTs)) ?? THREAD_TAKEN));
    const message =
      error instanceof InfraError
        ? error.message
        : 'Something went wrong on our side; nothing was started. Please try again in a minute.';
    if (!(error instanceof InfraError)) deps.logger.error({ err: error }, 'infra command failed');
    // A refusal is the bot's own mrkdwn naming who may act: its mentions must stay links.
    await out
      .reply(error instanceof NotAllowedError ? refusalMessage(message) : errorMessage(message))
      .catch((e) => deps.logger.error({ err: e }, 'could not answer the command'));
  }
}

const THREAD_TAKEN =
  'This thread already belongs to a workflow, so nothing was started. Mention me in a new message in the channel ' +
  'to start another request.';

/** One workflow per thread: its replies and buttons must reach exactly one workflow. */
async function threadRefusal(deps: ListenerDeps, channel: string, threadTs: string): Promise<string | undefined> {
  const existing = await findWorkflowByThread(deps.pool, channel, threadTs);
  if (!existing) return undefined;
  return (
    `This thread belongs to workflow #${existing.id}, so nothing was started. Mention me in a new message in the ` +
    'channel to start another request, or reply here to talk to workflow ' +
    `#${existing.id}.`
  );
}
