import type { Handoff } from '../../agents/handoff';
import { SlackMessage } from '../message';
import { escape, section } from './format';

/** The seed's handoff, in the thread: `Handoff: api-designer → data-migration-specialist` with the artifacts. */
export function handoffMessage(source: string, target: string, handoff: Handoff): SlackMessage {
  const lines = [`*Handoff: ${escape(source)} → ${escape(target)}*`, `*Context*: ${escape(handoff.context)}`];
  const artifacts = [...handoff.artifacts.map((a) => a.path), ...(handoff.migration ? [`migration ${handoff.migration.name}`] : [])];
  if (artifacts.length) lines.push('*Artifacts*:', ...artifacts.map((a) => `• \`${escape(a)}\``));
  if (handoff.next_steps.length) lines.push('*Next Steps*:', ...handoff.next_steps.map((s, i) => `${i + 1}. ${escape(s)}`));
  if (handoff.constraints.length) lines.push('*Constraints*:', ...handoff.constraints.map((c) => `• ${escape(c)}`));
  return {
    text: `Handoff: ${source} → ${target}`,
    blocks: [section(lines.join('\n'))],
  };
}
