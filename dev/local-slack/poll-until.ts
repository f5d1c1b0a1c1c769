import { setTimeout as sleep } from 'node:timers/promises';

/** Options for {@link pollUntil}. */
export interface PollOptions {
  /** Give up after this long; default 20000 ms. */
  timeoutMs?: number;
  /** What is awaited, in words; starts the timeout error message. */
  description?: string;
}

/**
 * Calls `predicate` every 25 ms until it returns something other than undefined, null or false,
 * and resolves with that value. A predicate that throws counts as "not yet". On timeout it rejects
 * with an Error naming `description`, the last error thrown by the predicate, and `describeState()`.
 */
export async function pollUntil<T>(
  predicate: () => T | undefined | null | false,
  options: PollOptions,
  describeState: () => string,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = predicate();
      if (value !== undefined && value !== null && value !== false) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const lines = [`Timed out after ${timeoutMs} ms waiting for: ${options.description ?? 'condition'}`];
      if (lastError !== undefined) {
        lines.push(
          `Last error from the predicate: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
        );
      }
      lines.push(describeState());
      throw new Error(lines.join('\n'));
    }
    await sleep(25);
  }
}
