import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlackMessage } from '../../dev/local-slack/local-slack';
import { CHANNEL, type Harness } from './harness';

/** How many of the thread's messages start with `headline` (a step's `[i/n] …` must be there once). */
export const headlineCount = (h: Harness, root: { ts: string }, headline: string) =>
  h.slack.thread(CHANNEL, root.ts).filter((m) => textOf(m).startsWith(headline)).length;

/** The open gate with `title`, waiting longer than the harness does (an outage is in the way). */
export function openGateAfterOutage(h: Harness, root: LocalSlackMessage, title: string, timeoutMs = 45_000) {
  return h.slack.waitFor(
    () =>
      h.thread(root).find((m) => textOf(m).includes(title) && JSON.stringify(m.blocks ?? []).includes('gate_approve')),
    { description: `open gate "${title}"`, timeoutMs },
  );
}
