import type { Handoff } from '../domain/handoff';
import type { SlackMessage } from '../domain/message';
import { escapeMrkdwn, section } from './format';

/** The orchestrator's handoff, in the thread: `Handoff: api-designer → data-migration-specialist` with the artifacts. */
export function handoffMessage(source: string, target: string, handoff: Handoff): SlackMessage {
  const lines = [
    `*Handoff: ${escapeMrkdwn(source)} → ${escapeMrkdwn(target)}*`,
    `*Context*: ${escapeMrkdwn(handoff.context)}`,
  ];
  const artifacts = [
    ...handoff.artifacts.map((a) => a.path),
    ...(handoff.migration ? [`migration ${handoff.migration.name}`] : []),
  ];
  if (artifacts.length) lines.push('*Artifacts*:', ...artifacts.map((a) => `• \`${escapeMrkdwn(a)}\``));
  if (handoff.next_steps.length)
    lines.push('*Next Steps*:', ...handoff.next_steps.map((s, i) => `${i + 1}. ${escapeMrkdwn(s)}`));
  if (handoff.constraints.length)
    lines.push('*Constraints*:', ...handoff.constraints.map((c) => `• ${escapeMrkdwn(c)}`));
  return {
    text: `Handoff: ${source} → ${target}`,
    blocks: [section(lines.join('\n'))],
  };
}
