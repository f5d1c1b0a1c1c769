import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalSlackMessage } from '../../../dev/local-slack/local-slack';
import type { Harness } from '../../support/harness';

/** Workflow states after which nothing more happens. */
export const FINISHED = ['succeeded', 'failed', 'rejected', 'cancelled', 'rolled_back'];

/** The thread's messages that still offer an Approve button. */
export function openGateMessages(h: Harness, root: LocalSlackMessage): LocalSlackMessage[] {
  return h.thread(root).filter((m) => JSON.stringify(m.blocks ?? []).includes('"gate_approve"'));
}

/**
 * Clicks Approve on every gate that opens, as each of `approvers` in turn (as people do: one clicks,
 * then the next), until the workflow finishes or stays put for `settleMs` with nothing left to click.
 * Returns the workflow's state then.
 */
export async function walkGates(
  h: Harness,
  root: LocalSlackMessage,
  approvers: string[],
  opts: { timeoutMs?: number; settleMs?: number } = {},
): Promise<string> {
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  const settleMs = opts.settleMs ?? 3000;
  const clicked = new Set<string>();
  let seen = '';
  let movedAt = Date.now();
  for (;;) {
    const state = (await h.workflowState()) ?? 'none';
    if (FINISHED.includes(state) || Date.now() > deadline) return state;
    const snapshot = `${state}:${h
      .thread(root)
      .map((m) => m.history.length)
      .join(',')}`;
    if (snapshot !== seen) {
      seen = snapshot;
      movedAt = Date.now();
    }
    const next = openGateMessages(h, root)
      .flatMap((m) => approvers.map((user) => ({ m, user, key: `${m.ts}:${user}` })))
      .find((c) => !clicked.has(c.key));
    if (next) {
      clicked.add(next.key);
      await h.click(next.m, 'approve', next.user);
      movedAt = Date.now();
    } else if (state === 'waiting_gate' && Date.now() - movedAt > settleMs) {
      return state;
    }
    await sleep(100);
  }
}

/** Waits until the workflow has opened `count` gates or finished. */
export async function waitForGates(h: Harness, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await h.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM gates WHERE workflow_id = 1');
    if (rows[0]!.n >= count || FINISHED.includes((await h.workflowState()) ?? '')) return;
    await sleep(100);
  }
  throw new Error(`the workflow opened fewer than ${count} gate(s) within ${timeoutMs} ms\n${h.slack.dump()}`);
}

/** The gates of workflow #1 as the bot's database holds them. */
export async function gateStates(h: Harness): Promise<string[]> {
  const { rows } = await h.pool.query<{ state: string }>('SELECT state FROM gates WHERE workflow_id = 1 ORDER BY id');
  return rows.map((r) => r.state);
}

/** The first gate message offering Approve, once the bot has posted it. */
export function firstOpenGate(h: Harness, root: LocalSlackMessage): Promise<LocalSlackMessage> {
  return h.slack.waitFor(() => openGateMessages(h, root)[0], {
    description: 'a gate with an Approve button',
    timeoutMs: 30_000,
  });
}
