import type { PreflightResult } from '../domain/preflight';
import type { Plan } from '../domain/plan';
import { GATES } from '../domain/gate-kinds';
import type { SlackMessage } from '../domain/message';
import { context, escapeMrkdwn, section } from './format';

/** The plan, posted first in the thread: which workflow, why, and each step with its agent and gate. */
export function planMessage(plan: Plan, reason: string): SlackMessage {
  const n = plan.steps.length;
  const lines = plan.steps.map((step, i) => {
    const who = step.agent ? `*${step.agent}*` : '*engine*';
    const gate = step.gate ? `  _→ gate: ${GATES[step.gate].stage} · ${GATES[step.gate].title}_` : '';
    const tasks = step.tasks.map((t) => `      → ${escapeMrkdwn(t)}`).join('\n');
    return `\`[${i + 1}/${n}]\` ${who} — ${escapeMrkdwn(step.title)}${gate}\n${tasks}`;
  });
  return {
    text: `Plan: ${plan.title} (${n} steps)`,
    blocks: [
      section(`*Plan: ${escapeMrkdwn(plan.title)}* — ${n} steps, lead *${plan.lead}*`),
      context(`Why this workflow: ${escapeMrkdwn(reason)}`),
      section(lines.join('\n')),
    ],
  };
}

/** Shown when the workflow waits for another one holding the same target. */
export function waitingForTargetMessage(target: string, holderId: number, holderRequester: string): SlackMessage {
  const text =
    `Waiting: workflow #${holderId} (requested by <@${holderRequester}>) is changing \`${target}\`. ` +
    `This one starts when it finishes.`;
  return { text, blocks: [section(`:traffic_light: ${text}`)] };
}

export function preflightMessage(results: PreflightResult[]): SlackMessage {
  const lines = results.map(
    (r) =>
      `${r.ok ? (r.warn ? ':warning:' : ':white_check_mark:') : ':x:'} *${escapeMrkdwn(r.name)}* — ${escapeMrkdwn(r.detail)}`,
  );
  const ok = results.every((r) => r.ok);
  return {
    text: ok ? 'Pre-flight checks passed' : 'Pre-flight checks failed',
    blocks: [section(`*Pre-flight checks*\n${lines.join('\n')}`)],
  };
}
