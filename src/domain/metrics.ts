import { z } from 'zod';
import { gateKindSchema } from './gate-kinds';

export const waitingGateSchema = z.object({
  workflow_id: z.coerce.number(),
  kind: gateKindSchema,
  merges: z.boolean(),
  approvals: z.array(z.string()),
  opened_at: z.coerce.date(),
  channel_id: z.string(),
  root_ts: z.string().nullable(),
  request: z.string(),
  requester: z.string(),
});
/** An open gate of a workflow that waits at it. */
export type WaitingGate = z.infer<typeof waitingGateSchema>;

export const failureSchema = z.object({
  workflow_id: z.coerce.number(),
  type: z.enum(['workflow_failed', 'merge_failed', 'workflow_rolled_back']),
  at: z.coerce.date(),
  channel_id: z.string(),
  root_ts: z.string().nullable(),
  request: z.string(),
  error: z.string().nullable(),
});
/** A workflow that failed, failed to merge, or was rolled back. */
export type Failure = z.infer<typeof failureSchema>;

/** The five metrics of the daily digest over one window; a `null` is "no data", never a division by zero. */
export interface Metrics {
  start: Date;
  end: Date;
  days: number;
  migrationSuccess: { tried: number; merged: number; rate: number | null };
  deployments: { count: number; perDay: number; perWeek: number };
  recovery: { incidents: number; recovered: number; meanMs: number | null };
  branchLifespan: { branches: number; medianMs: number | null; p90Ms: number | null };
  rollbacks: { count: number; merges: number; rate: number | null };
}

export const mergeSchema = z.object({
  workflow_id: z.coerce.number(),
  at: z.coerce.date(),
  channel_id: z.string(),
  root_ts: z.string().nullable(),
  request: z.string(),
  migrations: z.coerce.number(),
  functions: z.coerce.number(),
});
/** A workflow that merged to production: its first merge, and how many migrations and functions it merged. */
export type Merge = z.infer<typeof mergeSchema>;
