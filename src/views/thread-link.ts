/** A link to a workflow's thread (its root message), or just its number when it has no root yet. */
export function workflowLink(workflowId: number, channel: string, rootTs: string | null): string {
  if (!rootTs) return `#${workflowId}`;
  return `<https://slack.com/archives/${channel}/p${rootTs.replace('.', '')}|#${workflowId}>`;
}
