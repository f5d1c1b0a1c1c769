import { z } from 'zod';

/** Jobs carry ids only; the worker reloads state from Postgres. */
export const planJobSchema = z.object({ workflowId: z.number().int().positive() });
export const stepJobSchema = z.object({
  workflowId: z.number().int().positive(),
  stepId: z.number().int().positive(),
  /** The step's generation when enqueued; part of the job id so a new run is a new job. */
  generation: z.number().int().nonnegative(),
});
/** After the last step (and its gate): merge what was approved, then end the workflow. */
export const finishJobSchema = z.object({ workflowId: z.number().int().positive() });
export const rollbackJobSchema = z.object({ workflowId: z.number().int().positive(), actor: z.string() });
/**
 * After a person ended a workflow (`/infra cancel`, a Reject click): the clean-up the web role leaves
 * to a worker (notice, gates, report, branches, the next workflow waiting for the target).
 */
export const cleanUpJobSchema = z.object({ workflowId: z.number().int().positive() });

export type PlanJob = z.infer<typeof planJobSchema>;
export type StepJob = z.infer<typeof stepJobSchema>;
export type RollbackJob = z.infer<typeof rollbackJobSchema>;
export type FinishJob = z.infer<typeof finishJobSchema>;
export type CleanUpJob = z.infer<typeof cleanUpJobSchema>;

export type WorkflowJob =
  | { name: 'plan'; data: PlanJob }
  | { name: 'step'; data: StepJob }
  | { name: 'rollback'; data: RollbackJob }
  | { name: 'finish'; data: FinishJob }
  | { name: 'clean-up'; data: CleanUpJob };

export const WORKFLOW_QUEUE = 'workflow';
