import type { Queryable } from './db';

/** Where an idempotent post landed: reserved (ts null) before posting, completed with its ts after. */
export interface SlackMessageRecord {
  key: string;
  channelId: string;
  ts: string | null;
}

export async function reserveMessage(db: Queryable, key: string, channelId: string): Promise<SlackMessageRecord> {
  await db.query('INSERT INTO slack_messages (key, channel_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    key,
    channelId,
  ]);
  const { rows } = await db.query<{ key: string; channel_id: string; ts: string | null }>(
    'SELECT * FROM slack_messages WHERE key = $1',
    [key],
  );
  const row = rows[0]!;
  return { key: row.key, channelId: row.channel_id, ts: row.ts };
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
