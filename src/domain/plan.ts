import { z } from 'zod';
import { roleOutputSchema } from './handoff';
import { gateKindSchema } from './gate-kinds';

export const categorySchema = z.enum(['schema', 'query_rls', 'edge_function', 'api', 'cicd']);
export type Category = z.infer<typeof categorySchema>;

export const failurePolicySchema = z.enum(['stop', 'retry_once']);

const kebab = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'use kebab-case, e.g. api-design');

export const stepDefinitionSchema = z.object({
  key: kebab,
  /**
   * The agent that does the step (one of `agents/`, checked at start-up); a step without one is run by the
   * engine alone (e.g. Validation).
   */
  agent: kebab.optional(),
  title: z.string().min(1),
  tasks: z.array(z.string().min(1)).min(1),
  gate: gateKindSchema.optional(),
  on_failure: failurePolicySchema.default('stop'),
  /** When the step fails for good, this agent is asked to analyse the failure for the thread. */
  failure_analysis: kebab.optional(),
  /** Typed outputs the agent's handoff must include (e.g. `migration`); a handoff without one goes back to the model. */
  outputs: z.array(roleOutputSchema).default([]),
  /**
   * Typed outputs the agent's handoff may include; every output in neither list is refused. A step may
   * list `migration` (in either) only when one of its actions tests it on the branch ({@link MIGRATION_TEST_ACTIONS}).
   */
  optional_outputs: z.array(roleOutputSchema).default([]),
  /** Engine actions run after the agent's handoff, by name from the action registry (checked at start-up). */
  actions: z.array(z.string()).default([]),
});
export type StepDefinition = z.infer<typeof stepDefinitionSchema>;

/** Engine actions that try the step's own migration on the branch (src/changes/change-actions.ts). */
export const MIGRATION_TEST_ACTIONS: readonly string[] = ['branch-test', 'rls-audit'];

/** True when the step may hand off a migration: it declares one and runs a branch test on it. */
export function mayCarryMigration(step: Pick<StepDefinition, 'outputs' | 'optional_outputs' | 'actions'>): boolean {
  const declared = step.outputs.includes('migration') || (step.optional_outputs ?? []).includes('migration');
  return declared && step.actions.some((a) => MIGRATION_TEST_ACTIONS.includes(a));
}

export const workflowDefinitionSchema = z.object({
  name: kebab,
  title: z.string().min(1),
  category: categorySchema,
  lead: kebab,
  steps: z.array(stepDefinitionSchema).min(1).max(20),
});
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;

export const mixedDefinitionSchema = z.object({
  name: z.literal('mixed'),
  title: z.string().min(1),
  order: z.array(kebab).min(1),
});
export type MixedDefinition = z.infer<typeof mixedDefinitionSchema>;

/** A workflow as instantiated for one request: what the plan message shows and the engine runs. */
export const planSchema = z.object({
  name: z.string(),
  title: z.string(),
  categories: z.array(categorySchema).min(1),
  lead: z.string(),
  steps: z.array(stepDefinitionSchema).min(1),
});
export type Plan = z.infer<typeof planSchema>;
