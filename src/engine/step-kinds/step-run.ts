import { type Handoff, type Usage, handoffSchema } from '../../domain/handoff';
import type { StepDefinition } from '../../domain/plan';
import type { Check, Question, Step, Workflow } from '../../domain/records';
import { listSteps } from '../../store/steps-repo';
import type { EngineDeps } from '../deps';
import type { StepProgress } from '../thread/step-progress';
import type { StepMessage } from './step-thread';

/** A step this job moved to running, and its message: all that committing or failing it needs. */
export interface RunningStep {
  deps: EngineDeps;
  workflow: Workflow;
  /** The step as this job moved it to running; its transitions start from this row. */
  step: Step;
  def: StepDefinition;
  message: StepMessage;
}

/** An earlier step's handoff, as the agents and the actions see it. */
export interface EarlierHandoff {
  agent: string;
  stepTitle: string;
  handoff: Handoff;
}

/** What every kind of work reads while the step runs. */
export interface StepRun extends RunningStep {
  progress: StepProgress;
  /** The handoffs of the steps before this one, in order. */
  earlier: EarlierHandoff[];
  /** A reply to the agent's question that this run resumes with; consumed when the run commits or asks again. */
  answer: Question | undefined;
}

/** The handoffs of the steps before step `idx`; a step run by the engine alone is named `engine`. */
export async function earlierHandoffs(deps: EngineDeps, workflow: Workflow, idx: number): Promise<EarlierHandoff[]> {
  const steps = await listSteps(deps.pool, workflow.id);
  return steps
    .filter((s) => s.idx < idx && s.handoff)
    .map((s) => ({ agent: s.agent ?? 'engine', stepTitle: s.title, handoff: handoffSchema.parse(s.handoff) }));
}

/** What the step's work has produced so far: each kind adds to it in turn, and the step job commits it. */
export interface StepWork {
  /** The agent's handoff; the actions and the gate checks after it read it. */
  handoff?: Handoff;
  usage?: Usage;
  checks: Check[];
  summaries: string[];
}

/** The step's summary line: what its agent and actions said, else a count of its checks. */
export function workSummary(work: StepWork): string {
  if (work.summaries.length) return work.summaries.join(' ');
  const { checks } = work;
  if (!checks.length) return 'Done.';
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  return `${checks.length - failed - warned} check(s) passed, ${warned} warning(s), ${failed} failed.`;
}
