import { setTimeout as sleep } from 'node:timers/promises';
import type { ThreadReplyAttack } from '../attack-types';
import { APPROVER, Harness, REQUESTER, STRANGER } from '../../support/harness';
import { scriptSchemaChange } from '../../support/scripted-agents';
import { uniqueMarker } from './attack-names';
import { SCHEMA_REQUEST } from './sql-attacks';
import { firstOpenGate } from './walk-gates';

const AUTHORS = { stranger: STRANGER, requester: REQUESTER, approver: APPROVER } as const;

/** Someone replies in the thread at the first gate; the gate is approved; the next agent's requests are read. */
export async function threadReplyAttack(attack: ThreadReplyAttack): Promise<void> {
  const h = await Harness.start();
  try {
    scriptSchemaChange(h.claude);
    await h.command(SCHEMA_REQUEST);
    const root = await h.root();
    const gate = await firstOpenGate(h, root);
    const marker = uniqueMarker('THREAD');
    const since = Date.now();
    await h.reply(root, attack.text(marker), AUTHORS[attack.author]);
    await sleep(500); // the Events API acks before the listener runs
    await h.click(gate, 'approve', APPROVER);
    await h.claude.waitFor(() => h.claude.requestsFor('data-migration-specialist')[0], {
      description: 'the next agent was asked',
    });
    const later = h.claude.requests.filter((r) => r.time >= since);
    const reached = later.some((r) => JSON.stringify(r.body).includes(marker));
    expect({ reachedTheModel: reached }).toEqual({ reachedTheModel: attack.reaches });
  } finally {
    await h.close();
  }
}
