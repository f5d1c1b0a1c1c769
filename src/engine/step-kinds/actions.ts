import type { Handoff } from '../../domain/handoff';
import { registerCompensation } from '../../store/compensations-repo';
import type { StepAction, StepActionContext } from '../ports/step-actions';
import type { StepRun, StepWork } from './step-run';

/**
 * Runs the step's engine actions in the order the workflow names them, adding their checks and
 * summaries to `work`. Each registers how to undo its side effect (a compensation, keyed so a repeat is
 * a no-op) before doing it, for a later Rollback.
 */
export async function runActions(run: StepRun, names: string[], work: StepWork): Promise<void> {
  for (const name of names) {
    const done = await findAction(run, name).run(actionContext(run, work.handoff));
    work.checks.push(...(done.checks ?? []));
    if (done.summary) work.summaries.push(done.summary);
  }
}

/** Start-up checks the workflow files' names; a plan already stored may still name an action this bot lacks. */
function findAction(run: StepRun, name: string): StepAction {
  const action = run.deps.actions.get(name);
  if (!action) throw new Error(`the workflow names an action "${name}" that this bot does not have`);
  return action;
}

function actionContext(run: StepRun, handoff: Handoff | undefined): StepActionContext {
  const { deps, workflow, step } = run;
  return {
    workflow,
    step,
    handoff,
    earlierHandoffs: run.earlier.map((e) => e.handoff),
    logger: deps.logger,
    compensate: (c) => registerCompensation(deps.pool, { workflowId: workflow.id, stepId: step.id, ...c }),
  };
}
