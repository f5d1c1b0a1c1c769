import type { Workflow } from '../../domain/records';
import { listEvents } from '../../store/events';
import { listGates } from '../../store/gates-repo';
import type { DecisionDeps } from '../deps';

/** Who the thread waits on for a reason, and for what: an Override, a Request changes, a Reject. */
export interface AwaitedReason {
  users: string[];
  what: 'override' | 'request changes' | 'rejection';
}

/**
 * The reasons the workflow's thread waits for: from each approver whose Override of the open gate has
 * none yet, from each who clicked Request changes on it, or, after a rejection, from the person who
 * rejected. Nothing when no reason is awaited.
 */
export async function awaitedReasons(deps: Pick<DecisionDeps, 'pool'>, workflow: Workflow): Promise<AwaitedReason[]> {
  if (workflow.state === 'rejected') {
    const events = await listEvents(deps.pool, workflow.id);
    if (events.some((e) => e.type === 'rejection_reason')) return [];
    const by = [...events].reverse().find((e) => e.type === 'workflow_rejected')?.actor;
    return by ? [{ users: [by], what: 'rejection' }] : [];
  }
  if (workflow.state !== 'waiting_gate') return [];
  const gate = (await listGates(deps.pool, workflow.id)).find((g) => g.state === 'open');
  if (!gate) return [];
  const out: AwaitedReason[] = [];
  const overriding = gate.overrides.filter((o) => o.reason === undefined).map((o) => o.user);
  if (overriding.length) out.push({ users: overriding, what: 'override' });
  const changes = (await listEvents(deps.pool, workflow.id))
    .filter((e) => e.type === 'changes_requested' && e.data.gate_id === gate.id && e.actor)
    .map((e) => e.actor!);
  if (changes.length) out.push({ users: [...new Set(changes)], what: 'request changes' });
  return out;
}

/** The private note for someone whose reply is not the reason the thread waits for; undefined when none. */
export function notTheReasonNote(awaited: AwaitedReason[], user: string): string | undefined {
  if (!awaited.length || awaited.some((a) => a.users.includes(user))) return undefined;
  const who = awaited
    .map((a) => `${a.users.map((u) => `<@${u}>`).join(', ')} (${a.what === 'rejection' ? 'Reject' : titleOf(a.what)})`)
    .join(' and ');
  return `This thread is waiting for the reason of ${who}, so your reply was kept as a comment, not taken as that reason.`;
}

function titleOf(what: 'override' | 'request changes'): string {
  return what === 'override' ? 'Override' : 'Request changes';
}
