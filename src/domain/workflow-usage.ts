import { addUsage, type Usage, usageSchema, ZERO_USAGE } from './handoff';
import type { EventRow, Step } from './records';

/** A workflow's model usage: its steps' own, plus the calls outside any step's run (routing, failure analysis). */
export function workflowUsage(steps: readonly Step[], events: readonly EventRow[]): Usage {
  const outside = events
    .filter((e) => e.type === 'model_call' && (e.data.purpose === 'routing' || e.data.purpose === 'failure_analysis'))
    .map((e) => usageSchema.parse(e.data.usage));
  return [...steps.flatMap((s) => (s.usage ? [s.usage] : [])), ...outside].reduce(addUsage, ZERO_USAGE);
}
