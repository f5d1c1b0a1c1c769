import { fail, type ApiAnswer } from './slack-api-wire';
import type { LocalSlackFault } from './local-slack';

/** Faults queued per Web API method: the next calls of that method get them instead of an answer. */
export class FaultQueue {
  private readonly faults = new Map<string, LocalSlackFault[]>();

  /** Queues `fault` for the next call of `method` that has none queued before it. */
  push(method: string, fault: LocalSlackFault): void {
    const queue = this.faults.get(method) ?? [];
    queue.push(fault);
    this.faults.set(method, queue);
  }

  /** The answer of the next queued fault of `method` (429 with Retry-After, or `{ok:false,error}`), taken off the queue. */
  take(method: string): ApiAnswer | undefined {
    const fault = this.faults.get(method)?.shift();
    if (fault === undefined) return undefined;
    if ('status' in fault) {
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers: { 'retry-after': String(fault.retryAfter) },
      };
    }
    return fail(fault.error);
  }
}
