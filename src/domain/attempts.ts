import { z } from 'zod';
import type { EventRow, Gate } from './records';

/**
 * The `changes_reason` event: an approver sent a step's gate back with Request changes and said why.
 * It carries what the sent-back attempt produced, so the step's next agent sees its previous attempt.
 */
export const changesReasonSchema = z.object({
  gate_id: z.number().int(),
  step_id: z.number().int(),
  /** The attempt this reason starts. */
  attempt: z.number().int().min(2),
  reason: z.string(),
  previous: z.object({
    summary: z.string().nullable(),
    handoff: z.unknown().nullable(),
    /** How long the sent-back attempt ran, for its message. */
    elapsed_ms: z.number().optional(),
  }),
});
export type ChangesReason = z.infer<typeof changesReasonSchema> & { by: string };

/** The reason that started attempt `attempt` of step `stepId`, if an approver sent its previous one back. */
export function changesReasonFor(events: EventRow[], stepId: number, attempt: number): ChangesReason | undefined {
  for (const event of [...events].reverse()) {
    if (event.type !== 'changes_reason') continue;
    const parsed = changesReasonSchema.safeParse(event.data);
    if (parsed.success && parsed.data.step_id === stepId && parsed.data.attempt === attempt)
      return { ...parsed.data, by: event.actor ?? 'an approver' };
  }
  return undefined;
}

/** Why Request changes is not offered on the gate of a step's last allowed attempt; undefined while it is. */
export function attemptsExhausted(gate: Pick<Gate, 'attempt'>, maxAttempts: number): string | undefined {
  if (gate.attempt < maxAttempts) return undefined;
  return (
    `Request changes is not offered: this step has run ${gate.attempt} time(s), the most ` +
    `INFRA_MAX_STEP_ATTEMPTS (${maxAttempts}) allows. Approve, Reject, or start a new request.`
  );
}
