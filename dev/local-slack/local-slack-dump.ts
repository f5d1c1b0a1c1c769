import { textOf } from './block-text';
import { oneLine } from './slack-api-wire';
import type { LocalSlackState } from './local-slack-state';

/** Human-readable dump of all channels, threads, ephemerals, responses and unexpected requests. */
export function dumpLocalSlack(state: LocalSlackState): string {
  const { messages } = state;
  const lines = ['--- fake Slack state ---'];
  const channels = [...new Set(messages.visible().map((m) => m.channel))];
  if (channels.length === 0) {
    lines.push('(no messages)');
  }
  for (const channel of channels) {
    lines.push(`#${channel}`);
    for (const top of messages.channelMessages(channel)) {
      lines.push(`  [${top.ts}] ${top.user}: ${oneLine(textOf(top))}`);
      for (const reply of messages.thread(channel, top.ts)) {
        const files = reply.files?.length ? ` [files: ${reply.files.map((f) => f.name).join(', ')}]` : '';
        lines.push(`      ↳ [${reply.ts}] ${reply.user}: ${oneLine(textOf(reply))}${files}`);
      }
    }
    const orphans = messages
      .visible()
      .filter(
        (m) => m.channel === channel && m.thread_ts !== undefined && messages.get(channel, m.thread_ts) === undefined,
      );
    for (const orphan of orphans) {
      lines.push(`  (reply to unknown ${orphan.thread_ts}) [${orphan.ts}] ${orphan.user}: ${oneLine(textOf(orphan))}`);
    }
  }
  if (state.ephemerals.length > 0) {
    lines.push('ephemerals:');
    for (const e of state.ephemerals) {
      lines.push(`  #${e.channel} to ${e.user}: ${oneLine(textOf(e))}`);
    }
  }
  if (state.responses.length > 0) {
    lines.push('response_url posts:');
    for (const r of state.responses) {
      const flags = [
        r.response_type,
        r.replace_original ? 'replace_original' : '',
        r.delete_original ? 'delete_original' : '',
      ]
        .filter(Boolean)
        .join(',');
      lines.push(`  ${r.name}${flags ? ` (${flags})` : ''}: ${oneLine(textOf(r))}`);
    }
  }
  if (state.unexpected.length > 0) {
    lines.push('unexpected:', ...state.unexpected.map((u) => `  ${u}`));
  }
  return lines.join('\n');
}
