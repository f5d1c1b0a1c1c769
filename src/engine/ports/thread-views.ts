import type { Check, Gate, ShownMigration, Step, Workflow } from '../../domain/records';
import type { Handoff, Usage } from '../../domain/handoff';
import type { SlackMessage } from '../../domain/message';
import type { Plan } from '../../domain/plan';
import type { PreflightResult } from '../../domain/preflight';
import type { WorkflowDocument } from '../../domain/workflow-document';

/**
 * What the engine shows in a thread, built by src/views and passed in by the composition root: the
 * engine decides what to say and when, never how a message looks.
 */
export interface ThreadViews {
  noticeMessage(text: string): SlackMessage;
  /** For the bot's own mrkdwn (mentions stay links); everything else goes through noticeMessage. */
  refusalMessage(mrkdwn: string): SlackMessage;
  errorMessage(text: string): SlackMessage;
  /** Text from a model or a person, made safe to put inside the bot's own mrkdwn. */
  escapeMrkdwn(text: string): string;
  duration(ms: number): string;
  /**
   * `notDone`: what the workflow could not do (notDoneItems); a succeeded one says how many.
   * `saidInThread`: where its error was said already (errorSaidInThread), shown instead of the error.
   */
  rootMessage(
    workflow: Workflow,
    plan: Plan | null,
    steps: Step[],
    notDone?: string[],
    saidInThread?: string,
  ): SlackMessage;
  planMessage(plan: Plan, reason: string): SlackMessage;
  preflightMessage(results: PreflightResult[]): SlackMessage;
  waitingForTargetMessage(target: string, holderId: number, holderRequester: string): SlackMessage;
  stepHeadline(index: number, total: number, agent: string | null, title: string): string;
  stepRunningMessage(headline: string, tasks: string[], activity?: string): SlackMessage;
  stepDoneMessage(
    headline: string,
    outcome: { summary: string; elapsedMs: number; usage?: Usage; handoff?: Handoff; notes?: Check[] },
  ): SlackMessage;
  stepFailedMessage(headline: string, error: string, elapsedMs: number, next: string): SlackMessage;
  stepWaitingMessage(headline: string): SlackMessage;
  questionMessage(agent: string, requester: string, question: string): SlackMessage;
  questionReminderMessage(agent: string, requester: string, question: string, stopsAt: Date): SlackMessage;
  handoffMessage(source: string, target: string, handoff: Handoff): SlackMessage;
  /** `noChanges`: why Request changes is not offered (the step's last attempt); the button shows without it. */
  gateOpenMessage(gate: Gate, approversNote: string, noChanges?: string): SlackMessage;
  gateDecidedMessage(gate: Gate): SlackMessage;
  /** The migrations too long to show in the merge gate, as files to attach beside it. */
  migrationFiles(migrations: ShownMigration[]): Array<{ path: string; content: string }>;
  reportMessage(
    workflow: Workflow,
    steps: Step[],
    gates: Gate[],
    usage: Usage,
    merged?: string[],
    notDone?: string[],
    links?: Array<{ text: string; url: string }>,
    saidInThread?: string,
  ): SlackMessage;
  planDocument(workflow: Workflow, plan: Plan, reason: string): WorkflowDocument;
  reportDocument(
    workflow: Workflow,
    steps: Step[],
    gates: Gate[],
    usage: Usage,
    merged: string[],
    notDone?: string[],
  ): WorkflowDocument;
}
