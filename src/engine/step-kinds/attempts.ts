import { changesReasonFor } from '../../domain/attempts';
import { handoffSchema } from '../../domain/handoff';
import { listEvents } from '../../store/events';
import type { StepRun, StepWork } from './step-run';

/**
 * On an attempt that Request changes started: what the previous attempt left on the branch is undone
 * once (the change pipeline records it), before the agent and the actions run again. What was undone
 * goes into the step's summary.
 */
export async function discardPreviousAttempt(run: StepRun, work: StepWork): Promise<void> {
  const { deps, workflow, step } = run;
  if (step.attempt < 2) return;
  const events = await listEvents(deps.pool, workflow.id);
  const done = events.some(
    (e) => e.type === 'attempt_discarded' && e.data.step_id === step.id && e.data.attempt === step.attempt,
  );
  if (done) return;
  const reason = changesReasonFor(events, step.id, step.attempt);
  const previous = handoffSchema.safeParse(reason?.previous.handoff);
  const undone = await deps.changes.discardAttempt({
    workflow,
    step,
    previous: previous.success ? previous.data : undefined,
    earlier: run.earlier.map((e) => e.handoff),
  });
  if (undone) work.summaries.push(undone);
}
