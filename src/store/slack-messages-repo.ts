import type { Queryable } from './db';

/** Where an idempotent post landed: reserved (ts null) before posting, completed with its ts after. */
export interface SlackMessageRecord {
  key: string;
  channelId: string;
  ts: string | null;
}

/**
 * Reserves `key` before a post. `fresh` says this call reserved it: nothing can have been posted under
 * it yet. A reservation found without a ts is one whose post may have reached Slack before its run died.
 */
export async function reserveMessage(
  db: Queryable,
  key: string,
  channelId: string,
): Promise<SlackMessageRecord & { fresh: boolean }> {
  const inserted = await db.query<{ key: string; channel_id: string; ts: string | null }>(
    'INSERT INTO slack_messages (key, channel_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING *',
    [key, channelId],
  );
  const fresh = inserted.rows[0];
  if (fresh) return { key: fresh.key, channelId: fresh.channel_id, ts: fresh.ts, fresh: true };
  const { rows } = await db.query<{ key: string; channel_id: string; ts: string | null }>(
    'SELECT * FROM slack_messages WHERE key = $1',
    [key],
  );
  const row = rows[0]!;
  return { key: row.key, channelId: row.channel_id, ts: row.ts, fresh: false };
}

/** Which of `ids` (message ts or file ids) a key has recorded already. */
export async function recordedIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const { rows } = await db.query<{ ts: string }>('SELECT ts FROM slack_messages WHERE ts = ANY($1)', [ids]);
  return new Set(rows.map((r) => r.ts));
}

export async function completeMessage(db: Queryable, key: string, ts: string): Promise<void> {
  await db.query('UPDATE slack_messages SET ts = $2 WHERE key = $1', [key, ts]);
}

export async function findMessage(db: Queryable, key: string): Promise<SlackMessageRecord | undefined> {
  const { rows } = await db.query<{ key: string; channel_id: string; ts: string | null }>(
    'SELECT * FROM slack_messages WHERE key = $1',
    [key],
  );
  const row = rows[0];
  return row ? { key: row.key, channelId: row.channel_id, ts: row.ts } : undefined;
}

/** True the first time an event id is seen; Slack's retries of it return false. */
export async function firstDelivery(db: Queryable, eventId: string): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO slack_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [
    eventId,
  ]);
  return rowCount === 1;
}

/** True the first time a slash command's trigger_id is seen; a replay of the same signed request returns false. */
export async function firstCommand(
  db: Queryable,
  command: { triggerId: string; userId: string; channelId: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO slack_commands (trigger_id, user_id, channel_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [command.triggerId, command.userId, command.channelId],
  );
  return rowCount === 1;
}
