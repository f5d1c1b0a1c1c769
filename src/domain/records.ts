import { z } from 'zod';
import { planSchema } from './plan';
import { gateKindSchema } from './gate-kinds';
import { usageSchema } from './handoff';
import { gateStateSchema, stepStateSchema, workflowStateSchema } from './states';

const id = z.coerce.number().int().positive();
const time = z.coerce.date();

export const workflowRowSchema = z.object({
  id,
  kind: z.string().nullable(),
  request: z.string(),
  requester: z.string(),
  team_id: z.string(),
  channel_id: z.string(),
  /** The workflow's thread: its root message, or the @mention it was started from. */
  root_ts: z.string().nullable(),
  /** The bot's root message when it is a reply in an @mention's thread (then root_ts is the thread). */
  root_message_ts: z.string().nullish(),
  target: z.string(),
  state: workflowStateSchema,
  routing_reason: z.string().nullable(),
  plan: planSchema.nullable(),
  current_step: z.number().int(),
  error: z.string().nullable(),
  created_at: time,
  updated_at: time,
  finished_at: time.nullable(),
  /** The W3C traceparent of the workflow's root span, once tracing started one (010_workflow_trace.sql). */
  trace_parent: z.string().nullish(),
});
export type Workflow = z.infer<typeof workflowRowSchema>;

/**
 * What a finding means for the gate policy, read by the policy instead of a check's name:
 * `destructive` (can lose data) and `unanalysable` (code the engine cannot see into) need a second
 * approver; `non_transactional` runs outside the migration's transaction (shown, no extra approval);
 * `not_done`: the step could not do what its title says (nothing deployed, CI not run, no target), so
 * the workflow ends "Succeeded with N things not done" and the report lists it under **Not done**.
 */
export const checkFlagSchema = z.enum(['destructive', 'unanalysable', 'non_transactional', 'not_done']);
export type CheckFlag = z.infer<typeof checkFlagSchema>;

/** How risky a change is to production, in Bytebase's three levels. */
export const riskLevelSchema = z.enum(['low', 'medium', 'high']);
export type RiskLevel = z.infer<typeof riskLevelSchema>;

export const checkSchema = z.object({
  name: z.string(),
  status: z.enum(['pass', 'warn', 'fail']),
  detail: z.string().optional(),
  /** What the finding means for who must approve; see {@link checkFlagSchema}. */
  flags: z.array(checkFlagSchema).optional(),
  /** About objects the change does not touch (already on production): shown apart, never fails the gate. */
  existing: z.boolean().optional(),
  /** Text the gate shows in a code block under its checks, e.g. a CI file it approves (an excerpt when long). */
  code: z.string().max(4000).optional(),
  /** Lines `code` leaves out (it holds the first lines of a longer text); the gate says so. */
  code_more_lines: z.number().int().nonnegative().optional(),
  /** The file attached in the thread that holds `code` in full, named when the gate shows only part of it. */
  code_file: z.string().max(300).optional(),
  /** Lines the gate shows as a list under the check, e.g. the schema diff or one RLS finding per object. */
  items: z.array(z.string().max(1000)).max(300).optional(),
  /**
   * Set on the one check that rates the change's risk (see src/changes/checks/migration-risk.ts): the gate
   * shows it above the SQL, its `detail` the reason in words; it is never a pass or fail of its own.
   */
  risk: riskLevelSchema.optional(),
  /** Set on the merge gate's check that says what approving will do; its `detail` names it in a sentence. */
  merge_plan: z.boolean().optional(),
});
export type Check = z.infer<typeof checkSchema>;

export const stepRowSchema = z.object({
  id,
  workflow_id: id,
  idx: z.number().int(),
  key: z.string(),
  agent: z.string().nullable(),
  title: z.string(),
  state: stepStateSchema,
  run: z.number().int(),
  generation: z.number().int(),
  failures: z.number().int(),
  /** Which attempt this is: 1, and one more each time an approver clicks Request changes (009_step_attempts.sql). */
  attempt: z.number().int().default(1),
  conversation: z.unknown().nullable(),
  handoff: z.unknown().nullable(),
  checks: z.array(checkSchema).nullable(),
  usage: usageSchema.nullable(),
  summary: z.string().nullable(),
  error: z.string().nullable(),
  started_at: time.nullable(),
  finished_at: time.nullable(),
});
export type Step = z.infer<typeof stepRowSchema>;

/** A migration as the merge gate shows it: the text it will merge, pinned by the hash of its branch test. */
export const shownMigrationSchema = z.object({
  step_id: z.number().int(),
  step_title: z.string(),
  name: z.string(),
  up_sql: z.string(),
  down_sql: z.string(),
  sha256: z.string(),
  /** The last branch test of this exact text in its step: passed, failed, or not run (no target, or the text changed since). */
  test: z.enum(['passed', 'failed', 'not_run']),
});
export type ShownMigration = z.infer<typeof shownMigrationSchema>;

/** One approver's Override of a gate's failed checks; `reason` is their thread reply, once given. */
export const gateOverrideSchema = z.object({
  user: z.string(),
  at: z.string(),
  reason: z.string().optional(),
});

export const gateRowSchema = z.object({
  id,
  workflow_id: id,
  step_id: id,
  kind: gateKindSchema,
  state: gateStateSchema,
  merges: z.boolean(),
  approvals_needed: z.number().int(),
  approvals: z.array(z.string()),
  checks: z.array(checkSchema),
  /** The merge gate's migrations, as shown to the approvers (006_gate_overrides.sql). */
  migrations: z.array(shownMigrationSchema).default([]),
  /** Overrides of failed checks so far, in click order (006_gate_overrides.sql). */
  overrides: z.array(gateOverrideSchema).default([]),
  /** The attempt of its step this gate decides on (009_step_attempts.sql). */
  attempt: z.number().int().default(1),
  /** Why the approver requested changes, from their thread reply (009_step_attempts.sql). */
  reason: z.string().nullable().default(null),
  decided_by: z.string().nullable(),
  decided_at: time.nullable(),
  created_at: time,
});
export type Gate = z.infer<typeof gateRowSchema>;

export const questionRowSchema = z.object({
  id,
  workflow_id: id,
  step_id: id,
  tool_use_id: z.string(),
  question: z.string(),
  state: z.enum(['open', 'answered', 'expired']),
  answer: z.string().nullable(),
  answered_by: z.string().nullable(),
  created_at: time,
  answered_at: time.nullable(),
  resumed_at: time.nullable(),
  reminded_at: time.nullable(),
});
export type Question = z.infer<typeof questionRowSchema>;

export const compensationRowSchema = z.object({
  id,
  workflow_id: id,
  step_id: id,
  key: z.string(),
  kind: z.string(),
  data: z.record(z.string(), z.unknown()),
  state: z.enum(['registered', 'done', 'failed']),
  error: z.string().nullable(),
});
export type Compensation = z.infer<typeof compensationRowSchema>;

export const eventRowSchema = z.object({
  id,
  workflow_id: id.nullable(),
  type: z.string(),
  actor: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  created_at: time,
});
export type EventRow = z.infer<typeof eventRowSchema>;

/** Parses rows from the database, so a schema drift fails loudly at the boundary. */
export function parseRows<T>(schema: z.ZodType<T>, rows: unknown[]): T[] {
  return rows.map((row) => schema.parse(row));
}
