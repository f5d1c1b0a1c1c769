import type { AgentTask } from '../engine/ports/agent-runner';
import { type Artifact, type Handoff, ROLE_OUTPUTS } from '../domain/handoff';
import { fenceUntrusted } from './tools/untrusted-data';

/** Longest artifact content shown to a later agent; the rest is cut with a note. */
const ARTIFACT_LIMIT = 30_000;

/**
 * The first user message of a step: the request, the step, earlier handoffs in the orchestrator's
 * "## Handoff: [Source] → [Target]" format, thread comments and the previous error.
 */
export function renderTask(task: AgentTask): string {
  const parts = [
    `# Request\n${task.request.trim()}\n\nRequested by: ${task.requester}`,
    `# Your step: ${task.stepTitle}\n${task.tasks.map((t, i) => `${i + 1}. ${t}`).join('\n')}`,
  ];
  const optional = (task.optionalOutputs ?? []).filter((o) => !task.outputs?.includes(o));
  if (task.outputs?.length || optional.length) {
    const must = task.outputs?.length
      ? `Your handoff must include:\n${task.outputs.map((o) => `- ${ROLE_OUTPUTS[o]}`).join('\n')}`
      : '';
    const may = optional.length
      ? `Your handoff may include, when your work needs it:\n${optional.map((o) => `- ${ROLE_OUTPUTS[o]}`).join('\n')}`
      : '';
    parts.push(`# Typed output\n${[must, may].filter(Boolean).join('\n')}\nAny other typed output is refused.`);
  }
  if (task.earlierHandoffs.length > 0) {
    const handoffs = task.earlierHandoffs.map((earlier, i) =>
      renderHandoff(
        earlier.agent,
        task.earlierHandoffs[i + 1]?.agent ?? task.agent,
        earlier.stepTitle,
        earlier.handoff,
      ),
    );
    parts.push(`# Earlier handoffs\n\n${handoffs.join('\n\n')}`);
  }
  if (task.comments.length > 0) {
    // One JSON object per line: a comment's newlines cannot forge another author's line.
    const lines = task.comments.map((c) => JSON.stringify({ author: c.user, role: c.role, text: c.text }));
    const what =
      'what people wrote in the Slack thread, one JSON object per comment with its author (a Slack user id) and role';
    parts.push(`# Comments in the Slack thread (oldest first)\n${fenceUntrusted(what, lines.join('\n'))}`);
  }
  if (task.previousError !== undefined) {
    parts.push(
      `# Previous attempt\nThis step was tried before and failed: ${task.previousError}\nAvoid the same problem this time.`,
    );
  }
  if (task.changesRequested) parts.push(renderChangesRequested(task, task.changesRequested));
  parts.push('When your work is complete, call submit_handoff.');
  return parts.join('\n\n');
}

/** A step's next attempt: the approver's reason, fenced as untrusted, and what the previous attempt handed off. */
function renderChangesRequested(task: AgentTask, changes: NonNullable<AgentTask['changesRequested']>): string {
  const previous = changes.previousHandoff
    ? renderHandoff(task.agent, 'the gate', task.stepTitle, changes.previousHandoff)
    : `Summary: ${changes.previousSummary || '(none)'}`;
  return [
    `# Changes requested (attempt ${changes.attempt})`,
    `An approver (${changes.by}) sent your previous attempt back at its gate. Their reason:`,
    fenceUntrusted('the approver’s reason, as they wrote it in the Slack thread', changes.reason),
    'Do the step again, changing what the reason asks for. Your previous attempt:',
    previous,
  ].join('\n\n');
}

/** One handoff in the orchestrator's format, with the summary, the artifacts' content and the migration. */
export function renderHandoff(source: string, target: string, stepTitle: string, handoff: Handoff): string {
  const lines = [
    `## Handoff: ${source} → ${target}`,
    '',
    `**Step**: ${stepTitle}`,
    `**Summary**: ${handoff.summary}`,
    `**Context**: ${handoff.context}`,
  ];
  if (handoff.artifacts.length > 0) {
    lines.push('**Artifacts**:', ...handoff.artifacts.map((a) => `- ${a.path} (${a.kind})`));
  }
  if (handoff.next_steps.length > 0)
    lines.push('', '**Next Steps**:', ...handoff.next_steps.map((s, i) => `${i + 1}. ${s}`));
  if (handoff.constraints.length > 0) lines.push('', '**Constraints**:', ...handoff.constraints.map((c) => `- ${c}`));
  if (handoff.contract !== undefined) {
    lines.push(
      '',
      '**Contract**:',
      ...handoff.contract.types.map((t) => `- type ${t.name} in ${t.path}`),
      ...handoff.contract.endpoints.map((e) => `- ${e.method} ${e.path} (${e.auth}): ${e.summary}`),
    );
  }
  if (handoff.policies?.length)
    lines.push(
      '',
      '**Policies**:',
      ...handoff.policies.map((p) => `- ${p.name} on ${p.table}: ${p.command} to ${p.roles.join(', ')}`),
    );
  if (handoff.pipeline !== undefined) {
    const { files, secrets, environments } = handoff.pipeline;
    lines.push(
      '',
      `**Pipeline**: ${files.join(', ')}` +
        (secrets.length ? `; secrets ${secrets.join(', ')}` : '') +
        (environments.length ? `; environments ${environments.join(', ')}` : ''),
    );
  }
  if (handoff.migration !== undefined) {
    const { name, up_sql, down_sql } = handoff.migration;
    lines.push('', `**Migration** \`${name}\`:`, 'Up:', fence(up_sql, 'sql'), 'Down:', fence(down_sql, 'sql'));
  }
  for (const artifact of handoff.artifacts)
    lines.push('', `**${artifact.path}**:`, fence(shorten(artifact), artifact.kind));
  return lines.join('\n');
}

function shorten(artifact: Artifact): string {
  const extra = artifact.content.length - ARTIFACT_LIMIT;
  return extra > 0
    ? `${artifact.content.slice(0, ARTIFACT_LIMIT)}\n[… ${extra.toLocaleString('en-US')} more characters not shown]`
    : artifact.content;
}

/** A code fence longer than any backtick run inside `content`, so the content cannot close it. */
function fence(content: string, language: string): string {
  const longest = Math.max(2, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${content}\n${ticks}`;
}
