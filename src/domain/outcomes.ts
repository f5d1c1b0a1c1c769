import type { EventRow, Step } from './records';

/**
 * What a workflow could not do although its steps' titles say it would (nothing deployed, CI not run,
 * no target to merge into), in words, each once: the checks its steps flagged `not_done`, in step
 * order, then the `not_done` events (the merge). A step's earlier attempts do not count: its row holds
 * the checks of its last one.
 */
export function notDoneItems(steps: Step[], events: EventRow[]): string[] {
  const items = [
    ...steps
      .filter((s) => s.state === 'succeeded')
      .flatMap((s) => (s.checks ?? []).filter((c) => c.status !== 'pass' && c.flags?.includes('not_done')))
      .map((c) => (c.detail ? `${c.name}: ${c.detail}` : c.name)),
    ...events.filter((e) => e.type === 'not_done' && typeof e.data.what === 'string').map((e) => String(e.data.what)),
  ];
  return [...new Set(items)];
}

/** "1 thing" or "3 things". */
export function thingsNotDone(count: number): string {
  return `${count} ${count === 1 ? 'thing' : 'things'} not done`;
}

/**
 * Where the error a workflow ended with was said already, as the root and the report refer to it: a
 * merge that failed or was refused has its own notice in the thread (with what stayed on production),
 * so they point to it instead of repeating it. Undefined when the error is said nowhere else.
 */
export function errorSaidInThread(events: EventRow[]): string | undefined {
  const end = [...events].reverse().find((e) => e.type === 'merge_failed' || e.type === 'merge_refused');
  if (!end) return undefined;
  return end.type === 'merge_failed'
    ? 'Merging to production failed: its notice in the thread says why and what stayed on production.'
    : 'Nothing was merged: its notice in the thread says why.';
}
