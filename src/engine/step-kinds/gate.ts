import { GATES, type GateKind } from '../../domain/gate-kinds';
import { gatePolicy } from '../../domain/gate-policy';
import type { Check, Step, Workflow } from '../../domain/records';
import type { Queryable } from '../../store/db';
import { listEvents } from '../../store/events';
import { listGates, openGate } from '../../store/gates-repo';
import { listSteps } from '../../store/steps-repo';
import { transitionWorkflow } from '../../store/workflows-repo';
import type { EngineDeps } from '../deps';
import { refreshRoot } from '../thread/thread';
import { drawGate } from '../gates/gate-in-step';
import { attachArtifacts } from '../thread/workflow-files';
import type { StepRun, StepWork } from './step-run';

/** Adds the checks the gate's kind makes itself, on the step's handoff and the workflow so far, to `work`. */
export async function addGateChecks(run: StepRun, gate: GateKind, work: StepWork): Promise<void> {
  const { deps, workflow, step } = run;
  const [steps, gates] = await Promise.all([listSteps(deps.pool, workflow.id), listGates(deps.pool, workflow.id)]);
  const earlierHandoffs = run.earlier.map((e) => e.handoff);
  work.checks.push(
    ...deps.changes.gateChecks(gate, { handoff: work.handoff, earlierHandoffs, steps, gates, stepId: step.id }),
  );
}

/**
 * Opens the step's gate and sets the workflow waiting for it, in the transaction that commits the step,
 * so a step never succeeds without its gate.
 */
export async function openStepGate(
  deps: EngineDeps,
  tx: Queryable,
  workflow: Workflow,
  step: Step,
  kind: GateKind,
  checks: Check[],
): Promise<void> {
  const merges = GATES[kind].merges;
  // Inside the step's transaction, so the step's own handoff and checks are already its new ones.
  const gate = merges
    ? deps.changes.mergeGateContents({
        workflow,
        steps: await listSteps(tx, workflow.id),
        events: await listEvents(tx, workflow.id),
        step,
        own: checks,
      })
    : { checks, migrations: [] };
  const policy = gatePolicy({ checks: gate.checks, merges });
  await openGate(tx, {
    workflowId: workflow.id,
    stepId: step.id,
    attempt: step.attempt,
    kind,
    merges,
    checks: gate.checks,
    approvalsNeeded: policy.approvalsNeeded,
    migrations: gate.migrations,
  });
  await transitionWorkflow(tx, workflow.id, ['running'], 'waiting_gate', {
    type: 'workflow_waiting_gate',
    actor: null,
    data: { gate: kind },
  });
}

/**
 * Draws the gate the step's commit opened, with its buttons, into the step's message; safe to repeat
 * (a gate decided in the meantime is not drawn again).
 */
export async function postOpenGate(deps: EngineDeps, workflow: Workflow, step: Step): Promise<void> {
  const gate = (await listGates(deps.pool, workflow.id)).find(
    (g) => g.step_id === step.id && g.attempt === step.attempt,
  );
  if (gate?.state !== 'open') return;
  await drawGate(deps, workflow, gate);
  // The SQL the merge gate shows only in part is attached in full.
  if (gate.merges) await attachArtifacts(deps, workflow, `gate:${gate.id}`, deps.views.migrationFiles(gate.migrations));
  await refreshRoot(deps, workflow.id);
}
