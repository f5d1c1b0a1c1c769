import type { Handoff, RoleOutput, Usage } from '../../domain/handoff';

/** Everything an agent gets for one step: the request, what came before, what people said. */
export interface AgentTask {
  workflowId: number;
  stepId: number;
  /** The agent's name, as in `agents/<name>.md`. */
  agent: string;
  /** e.g. "[2/5] Write and test the migration". */
  stepTitle: string;
  tasks: string[];
  /** Typed outputs the handoff must include, from the step's `outputs`. */
  outputs?: RoleOutput[];
  /** Typed outputs the handoff may include, from the step's `optional_outputs`; every other one is refused. */
  optionalOutputs?: RoleOutput[];
  request: string;
  requester: string;
  earlierHandoffs: Array<{ agent: string; stepTitle: string; handoff: Handoff }>;
  /** Thread replies of the requester and the approvers that were not answers to a question, oldest first. */
  comments: Array<{ user: string; role: 'requester' | 'approver'; text: string }>;
  /** Set when the step is tried again after a failure: what went wrong last time. */
  previousError?: string;
  /**
   * Set on a step's next attempt after an approver clicked Request changes at its gate: who, why (their
   * thread reply, untrusted), and what the previous attempt produced.
   */
  changesRequested?: {
    by: string;
    reason: string;
    attempt: number;
    previousSummary: string;
    previousHandoff?: Handoff;
  };
  /** What the step spent in earlier runs (before its question), counted against its token budget. */
  spent?: Usage;
}

/** What the runner reports while it works; the step shows progress and records every call. */
export interface AgentObserver {
  /** What the agent does now, e.g. "calling list_tables…". */
  progress?(activity: string): void;
  /** One model call's usage, as the API reported it, with its estimated cost. */
  call?(record: { model: string; usage: Usage }): void;
}

/** A person's reply to the agent's `ask_user` call, which resumes the stored conversation. */
export interface AgentAnswer {
  toolUseId: string;
  text: string;
  user: string;
}

export type AgentOutcome =
  | { type: 'handoff'; handoff: Handoff; usage: Usage; conversation: unknown }
  | { type: 'question'; question: string; toolUseId: string; usage: Usage; conversation: unknown };

/**
 * Runs one agent turn to its end: a validated handoff, or a question for the thread. A question ends
 * the run (no worker waits for a person); `resume` continues the same conversation with the answer.
 * Throws AgentFailedError, retryable or not.
 */
export interface AgentRunner {
  run(
    task: AgentTask,
    resume?: { conversation: unknown; answer: AgentAnswer },
    observer?: AgentObserver,
  ): Promise<AgentOutcome>;
}
