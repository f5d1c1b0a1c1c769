import type { Plan } from '../domain/plan';
import type { Step, Workflow } from '../domain/records';
import type { SlackMessage } from '../domain/message';
import { thingsNotDone } from '../domain/outcomes';
import { context, escapeMrkdwn, plain, progressBar, section, user, shorten } from './format';

const STATE_LABEL: Record<Workflow['state'], string> = {
  planned: ':hourglass_flowing_sand: Planned',
  running: ':arrows_counterclockwise: Running',
  waiting_gate: ':raised_hand: Waiting for approval',
  waiting_reply: ':speech_balloon: Waiting for an answer in the thread',
  succeeded: ':white_check_mark: Succeeded',
  failed: ':x: Failed',
  rejected: ':no_entry: Rejected',
  cancelled: ':heavy_multiplication_x: Cancelled',
  rolled_back: ':rewind: Rolled back',
};

/**
 * The workflow's error under its state: said once in the thread, so a step's failure is referred to
 * (its own message has the error), as is a merge's (`saidInThread`, its notice has it); only another
 * error (a pre-flight check) is spelled out.
 */
function errorLine(workflow: Workflow, steps: Step[], saidInThread?: string): string {
  if (!workflow.error) return '';
  if (saidInThread) return `\n${saidInThread}`;
  const failed = steps.find((s) => s.state === 'failed');
  if (failed)
    return (
      `\nStopped at step ${failed.idx + 1} of ${steps.length} (${escapeMrkdwn(failed.agent ?? failed.title)}): ` +
      'its message in the thread says why.'
    );
  return `\n${escapeMrkdwn(workflow.error)}`;
}

/** The root message: the request, who asked, the workflow chosen, and a progress bar updated in place. */
export function rootMessage(
  workflow: Workflow,
  plan: Plan | null,
  steps: Step[],
  notDone: string[] = [],
  saidInThread?: string,
): SlackMessage {
  const done = steps.filter((s) => s.state === 'succeeded' || s.state === 'skipped').length;
  const total = plan?.steps.length ?? 0;
  const title = plan ? plan.title : 'choosing a workflow…';
  const progress = total ? progressBar(done, total) : '';
  // A success that could not do everything its steps say is not a plain success.
  const status =
    workflow.state === 'succeeded' && notDone.length
      ? `${STATE_LABEL.succeeded} with ${thingsNotDone(notDone.length)}: ` +
        escapeMrkdwn(notDone.map((n) => shorten(n.split(':')[0]!, 60)).join('; '))
      : STATE_LABEL[workflow.state];
  const text = `Infra #${workflow.id}: ${plain(shorten(workflow.request, 200))} — ${plain(title)}${progress ? ` ${progress}` : ''}`;
  const lines = [
    `*Infra #${workflow.id}* · ${escapeMrkdwn(title)}`,
    `>${escapeMrkdwn(workflow.request).replace(/\n/g, '\n>')}`,
  ];
  const blocks = [
    section(lines.join('\n')),
    section(`${status}${progress ? `   \`${progress}\`` : ''}${errorLine(workflow, steps, saidInThread)}`),
    context(
      `Requested by ${user(workflow.requester)}`,
      `Target \`${escapeMrkdwn(workflow.target)}\``,
      'Details in the thread :thread:',
    ),
  ];
  return { text, blocks };
}
