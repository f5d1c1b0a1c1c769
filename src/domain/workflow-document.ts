/** A Markdown file the bot writes for a workflow (its plan, its report) and attaches to the thread. */
export interface WorkflowDocument {
  path: string;
  kind: 'markdown';
  content: string;
}
