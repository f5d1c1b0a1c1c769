import { type Usage, handoffSchema, totalTokens } from '../domain/handoff';
import { usd } from './format';
import type { Gate, Step, Workflow } from '../domain/records';
import type { Plan } from '../domain/plan';
import { GATES } from '../domain/gate-kinds';
import { fileDate, slug } from '../domain/file-names';
import type { WorkflowDocument } from '../domain/workflow-document';

/** `plans/INFRA-{date}-{description}.md`, the workflow id appended so two requests never share a file. */
export function planDocument(workflow: Workflow, plan: Plan, reason: string): WorkflowDocument {
  const lines = [
    `# INFRA plan · workflow #${workflow.id}: ${plan.title}`,
    '',
    `**Request**: ${workflow.request}`,
    `**Requested by**: ${workflow.requester} · ${workflow.created_at.toISOString()}`,
    `**Target**: ${workflow.target}`,
    `**Why this workflow**: ${reason}`,
    `**Lead**: ${plan.lead}`,
    '',
    '## Steps',
    ...plan.steps.flatMap((s, i) => [
      `${i + 1}. **${s.agent ?? 'engine'}** — ${s.title}${s.gate ? ` (gate: ${GATES[s.gate].stage} · ${GATES[s.gate].title})` : ''}`,
      ...s.tasks.map((t) => `   - ${t}`),
    ]),
    '',
  ];
  return {
    path: `plans/INFRA-${fileDate(workflow.created_at)}-${slug(workflow.request)}-wf${workflow.id}.md`,
    kind: 'markdown',
    content: lines.join('\n'),
  };
}

/** `reports/INFRA-REPORT-{date}.md` for one workflow: outcome, steps, artifacts, gates, tokens and cost. */
export function reportDocument(
  workflow: Workflow,
  steps: Step[],
  gates: Gate[],
  usage: Usage,
  merged: string[],
  notDone: string[] = [],
): WorkflowDocument {
  const ended = workflow.finished_at ?? new Date();
  const lines = [
    `# INFRA report · workflow #${workflow.id}: ${workflow.state.replace('_', ' ')}`,
    '',
    `**Request**: ${workflow.request}`,
    `**Requested by**: ${workflow.requester} · started ${workflow.created_at.toISOString()} · ended ${ended.toISOString()}`,
    ...(workflow.error ? [`**Error**: ${workflow.error}`] : []),
    '',
    '## Steps',
    ...steps.flatMap((s, i) => {
      const handoff = s.handoff ? handoffSchema.safeParse(s.handoff) : undefined;
      const artifacts = handoff?.success ? handoff.data.artifacts.map((a) => a.path) : [];
      return [
        `${i + 1}. **${s.agent ?? 'engine'}** — ${s.title}: ${s.state}${s.usage ? ` · ${tokenLine(s.usage)}` : ''}`,
        ...(s.summary ? [`   - ${s.summary}`] : []),
        ...(s.error ? [`   - error: ${s.error}`] : []),
        ...artifacts.map((p) => `   - artifact: \`${p}\``),
      ];
    }),
    '',
    '## Gates',
    ...(gates.length
      ? gates.map(
          (g) =>
            `- ${GATES[g.kind].stage} · ${GATES[g.kind].title}: ${g.state}${g.decided_by ? ` by ${g.decided_by}` : ''}`,
        )
      : ['- none']),
    '',
    '## Merged to production',
    ...(merged.length ? merged.map((m) => `- ${m}`) : ['- nothing']),
    '',
    ...(notDone.length ? ['## Not done', ...notDone.map((n) => `- ${n}`), ''] : []),
    '## Tokens and cost',
    `- ${tokenLine(usage)}`,
    `- input ${usage.input_tokens}, cache writes ${usage.cache_creation_input_tokens}, cache ` +
      `reads ${usage.cache_read_input_tokens}, output ${usage.output_tokens}`,
    '- costs are estimates at list prices; the invoice is the truth',
    '',
  ];
  return {
    path: `reports/INFRA-REPORT-${fileDate(ended)}-wf${workflow.id}.md`,
    kind: 'markdown',
    content: lines.join('\n'),
  };
}

function tokenLine(usage: Usage): string {
  return (
    `${totalTokens(usage).toLocaleString('en-US')} tokens ` +
    `(${usage.cache_read_input_tokens.toLocaleString('en-US')} from cache), ~${usd(usage.cost_usd)}`
  );
}
