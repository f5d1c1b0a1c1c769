import type { StoredMessage } from './message-store';
import type { LocalSlackState } from './local-slack-state';

/** A message as Slack serialises it in Web API answers: bot profile, thread summary, metadata on request. */
export function wireMessage(
  state: LocalSlackState,
  m: StoredMessage,
  includeMetadata: boolean,
): Record<string, unknown> {
  const { appId, teamId } = state.ids;
  const out: Record<string, unknown> = { user: m.user, type: 'message', ts: m.ts };
  if (m.bot_id !== undefined) {
    out.bot_id = m.bot_id;
    out.app_id = appId;
  }
  out.text = m.text;
  out.team = teamId;
  if (m.bot_id !== undefined) {
    out.bot_profile = {
      id: m.bot_id,
      app_id: appId,
      name: 'infra-bot',
      icons: { image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png' },
      deleted: false,
      updated: 1_700_000_000,
      team_id: teamId,
    };
  }
  if (m.edited !== undefined) out.edited = { ...m.edited };
  if (m.blocks !== undefined) out.blocks = m.blocks;
  if (m.attachments !== undefined) out.attachments = m.attachments;
  if (m.files !== undefined) out.files = m.files;
  if (m.thread_ts !== undefined && m.thread_ts !== m.ts) {
    out.thread_ts = m.thread_ts;
    const parent = state.messages.get(m.channel, m.thread_ts);
    if (parent !== undefined) out.parent_user_id = parent.user;
  } else {
    const replies = state.messages
      .visible()
      .filter((r) => r.channel === m.channel && r.thread_ts === m.ts && r.ts !== m.ts);
    const latest = replies[replies.length - 1];
    if (latest !== undefined) {
      const users = [...new Set(replies.map((r) => r.user))];
      Object.assign(out, {
        thread_ts: m.ts,
        reply_count: replies.length,
        reply_users_count: users.length,
        latest_reply: latest.ts,
        reply_users: users,
        is_locked: false,
        subscribed: false,
      });
    }
  }
  if (includeMetadata && m.metadata !== undefined) out.metadata = m.metadata;
  return out;
}
