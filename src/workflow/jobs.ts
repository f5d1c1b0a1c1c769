import { z } from 'zod';

/** Jobs carry ids only; the worker reloads state from Postgres. */
export const planJobSchema = z.object({ workflowId: z.number().int().positive() });
export const stepJobSchema = z.object({
  workflowId: z.number().int().positive(),
  stepId: z.number().int().positive(),
  /** The step's generation when enqueued; part of the job id so a new run is a new job. */
  generation: z.number().int().nonnegative(),
});
export const rollbackJobSchema = z.object({ workflowId: z.number().int().positive(), actor: z.string() });

export type PlanJob = z.infer<typeof planJobSchema>;
export type StepJob = z.infer<typeof stepJobSchema>;
export type RollbackJob = z.infer<typeof rollbackJobSchema>;

export type WorkflowJob = { name: 'plan'; data: PlanJob } | { name: 'step'; data: StepJob } | { name: 'rollback'; data: RollbackJob };

export const WORKFLOW_QUEUE = 'workflow';
