import type { Handoff, Usage } from '../domain/handoff';
import type { Check } from '../domain/records';
import type { SlackMessage } from '../domain/message';
import { context, duration, escapeMrkdwn, plain, section, slackDate, usageText, shorten } from './format';

/** The orchestrator's words: `[2/5] Invoking data-migration-specialist...`, or `[5/5] Validation...` for an engine step. */
export function stepHeadline(index: number, total: number, agent: string | null, title: string): string {
  return agent ? `[${index + 1}/${total}] Invoking ${agent}...` : `[${index + 1}/${total}] ${title}...`;
}

/** The running step; `activity` is what the agent does right now, e.g. "calling list_tables…". */
export function stepRunningMessage(headline: string, tasks: string[], activity?: string): SlackMessage {
  return {
    text: activity ? `${headline} ${plain(activity)}` : headline,
    blocks: [
      section(`*${escapeMrkdwn(headline)}*\n${tasks.map((t) => `Task: ${escapeMrkdwn(t)}`).join('\n')}`),
      ...(activity ? [context(`:hourglass_flowing_sand: ${escapeMrkdwn(activity)}`)] : []),
    ],
  };
}

/**
 * `notes`: checks that did not pass on a step without a gate (a gated step shows them at its gate), and
 * what the step could not do (`not_done`), gate or not.
 */
export function stepDoneMessage(
  headline: string,
  outcome: { summary: string; elapsedMs: number; usage?: Usage; handoff?: Handoff; notes?: Check[] },
): SlackMessage {
  const artifacts = outcome.handoff?.artifacts.map((a) => `\`${escapeMrkdwn(a.path)}\``).join(', ');
  const notes = (outcome.notes ?? []).map(
    (c) =>
      `${c.status === 'fail' ? ':x:' : ':warning:'} ${c.flags?.includes('not_done') ? '*Not done:* ' : ''}` +
      `${escapeMrkdwn(c.name)}${c.detail ? ` — ${escapeMrkdwn(c.detail)}` : ''}`,
  );
  const facts = [`:white_check_mark: done in ${duration(outcome.elapsedMs)}`];
  if (outcome.usage) facts.push(usageText(outcome.usage));
  return {
    text: `${headline} done: ${plain(shorten(outcome.summary, 200))}`,
    blocks: [
      section(
        `*${escapeMrkdwn(headline)}*\nOutput: ${escapeMrkdwn(outcome.summary)}` +
          (artifacts ? `\nArtifacts: ${artifacts}` : '') +
          (notes.length ? `\n${notes.join('\n')}` : ''),
      ),
      context(...facts),
    ],
  };
}

export function stepFailedMessage(headline: string, error: string, elapsedMs: number, next: string): SlackMessage {
  return {
    text: `${headline} failed: ${plain(shorten(error, 200))}`,
    blocks: [
      section(`*${escapeMrkdwn(headline)}*\n:x: ${escapeMrkdwn(error)}`),
      context(`after ${duration(elapsedMs)} · ${escapeMrkdwn(next)}`),
    ],
  };
}

export function stepWaitingMessage(headline: string): SlackMessage {
  return {
    text: `${headline} waiting for an answer`,
    blocks: [section(`*${escapeMrkdwn(headline)}*\n:speech_balloon: waiting for an answer in this thread`)],
  };
}

export function questionMessage(agent: string, requester: string, question: string): SlackMessage {
  const text = `<@${requester}> ${agent} asks: ${plain(question)}`;
  return {
    text,
    blocks: [
      section(`:question: <@${requester}> *${escapeMrkdwn(agent)}* asks:\n${escapeMrkdwn(question)}`),
      context('Reply in this thread; the step goes on with your answer.'),
    ],
  };
}

export function questionReminderMessage(
  agent: string,
  requester: string,
  question: string,
  stopsAt: Date,
): SlackMessage {
  const text = `<@${requester}> reminder: ${agent} is still waiting for an answer: ${plain(question)}`;
  return {
    text,
    blocks: [
      section(
        `:alarm_clock: <@${requester}> *${escapeMrkdwn(agent)}* is still waiting for an answer:\n${escapeMrkdwn(question)}`,
      ),
      context(
        `Reply in this thread. Without an answer the workflow stops ${slackDate(stopsAt)}; nothing will be merged.`,
      ),
    ],
  };
}
