import type { Usage } from '../domain/handoff';
import type { Gate, Step, Workflow } from '../domain/records';
import { GATES } from '../domain/gate-kinds';
import { thingsNotDone } from '../domain/outcomes';
import type { KnownBlock } from '@slack/types';
import { ActionIds } from '../domain/action-ids';
import type { SlackMessage } from '../domain/message';
import { context, duration, escapeMrkdwn, section, usageText, user, shorten } from './format';

/** A link the report shows under its times: the migrations' pull request, and the one reverting it. */
export interface ReportLink {
  text: string;
  url: string;
}

/**
 * The closing message of a thread: outcome, steps, gate decisions, time and tokens; and, when the
 * workflow merged migrations to production, a button to roll them back.
 */
export function reportMessage(
  workflow: Workflow,
  steps: Step[],
  gates: Gate[],
  usage: Usage,
  merged: string[] = [],
  notDone: string[] = [],
  links: ReportLink[] = [],
  saidInThread?: string,
): SlackMessage {
  const outcome =
    {
      succeeded: notDone.length
        ? `:white_check_mark: *Workflow complete* — with ${thingsNotDone(notDone.length)}`
        : ':white_check_mark: *Workflow complete*',
      failed: ':x: *Workflow failed*',
      rejected: ':no_entry: *Workflow rejected*',
      cancelled: ':heavy_multiplication_x: *Workflow cancelled*',
      rolled_back: ':rewind: *Workflow rolled back*',
    }[workflow.state as 'succeeded'] ?? `*Workflow ${workflow.state}*`;
  const stepLines = steps.map(
    (s, i) =>
      `\`[${i + 1}/${steps.length}]\` ${s.agent ?? 'engine'}: ${s.state}` +
      (s.summary && s.state !== 'failed' ? ` — ${escapeMrkdwn(shorten(s.summary, 150))}` : '') +
      (s.usage ? ` _(${usageText(s.usage)})_` : ''),
  );
  const gateLines = gates.map(
    (g) => `${GATES[g.kind].title}: ${g.state.replace('_', ' ')}${g.decided_by ? ` by ${user(g.decided_by)}` : ''}`,
  );
  const failed = steps.find((s) => s.state === 'failed');
  // A step's error is in its own message, a merge's in its notice: the report refers to it instead of repeating it.
  const error = failed
    ? `\nStopped at step ${failed.idx + 1} (${escapeMrkdwn(failed.agent ?? failed.title)}); the error is in its message above.`
    : workflow.error
      ? `\n${saidInThread ?? escapeMrkdwn(workflow.error)}`
      : '';
  const elapsed = (workflow.finished_at ?? new Date()).getTime() - workflow.created_at.getTime();
  return {
    text:
      `Workflow #${workflow.id} ${workflow.state.replace('_', ' ')}` +
      (workflow.state === 'succeeded' && notDone.length ? ` with ${thingsNotDone(notDone.length)}` : ''),
    blocks: [
      section(`${outcome}${error}`),
      section(stepLines.join('\n') || '_No steps ran._'),
      ...(notDone.length
        ? [section(`*Not done*\n${notDone.map((n) => `• ${escapeMrkdwn(shorten(n, 300))}`).join('\n')}`)]
        : []),
      ...(gateLines.length ? [section(`*Gates*\n${gateLines.join('\n')}`)] : []),
      context(`Took ${duration(elapsed)}`, `${usageText(usage)} (estimated at list prices)`),
      ...(links.length ? [context(...links.map((l) => `:octocat: <${l.url}|${escapeMrkdwn(l.text)}>`))] : []),
      ...((workflow.state === 'succeeded' || workflow.state === 'failed') && merged.length
        ? [rollbackProductionButton(workflow.id, merged)]
        : []),
    ],
  };
}

function rollbackProductionButton(workflowId: number, merged: string[]): KnownBlock {
  return {
    type: 'actions',
    block_id: `workflow-${workflowId}`,
    elements: [
      {
        type: 'button',
        action_id: ActionIds.rollbackProduction,
        text: { type: 'plain_text', text: 'Roll back production' },
        style: 'danger',
        value: String(workflowId),
        confirm: {
          title: { type: 'plain_text', text: 'Roll back production?' },
          text: {
            type: 'mrkdwn',
            text:
              `This undoes ${merged.map((m) => `\`${m}\``).join(', ')} on production: each migration's down ` +
              `SQL runs in a transaction, and Edge Functions this workflow created are deleted.`,
          },
          confirm: { type: 'plain_text', text: 'Roll back' },
          deny: { type: 'plain_text', text: 'Cancel' },
          style: 'danger',
        },
      },
    ],
  };
}
