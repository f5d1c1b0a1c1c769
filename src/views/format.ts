import type { KnownBlock } from '@slack/types';
import { type Usage, totalTokens } from '../domain/handoff';

/** Slack refuses section text over 3,000 characters; long content is cut with a note. */
export const SECTION_LIMIT = 3000;

export function clip(text: string, limit = SECTION_LIMIT): string {
  if (text.length <= limit) return text;
  const note = '\n…(cut; the full text is stored with the workflow)';
  return text.slice(0, limit - note.length) + note;
}

/**
 * Text cut to at most `limit` characters at a word boundary, with "…" when anything was cut, so a
 * summary never ends mid-word ("up aga").
 */
export function shorten(text: string, limit: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= limit) return trimmed;
  const cut = trimmed.slice(0, limit - 1);
  const space = cut.search(/\s\S*$/);
  return `${(space > limit / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Text from a request or a model for a message's `text` fallback (notifications, screen readers), which
 * Slack reads as mrkdwn too: escaped like the blocks, so `<!channel>` or `<https://…|…>` become no
 * mention and no link, and a zero-width space before a formatting mark where it could open
 * bold, italic, strike or code, so `*bold*` stays as typed.
 */
export function plain(text: string): string {
  return escapeMrkdwn(text).replace(/(^|[^\p{L}\p{N}])([*_~`])/gu, '$1\u200B$2');
}

export function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text) } };
}

export function context(...texts: string[]): KnownBlock {
  return { type: 'context', elements: texts.map((t) => ({ type: 'mrkdwn' as const, text: clip(t, 2000) })) };
}

export function header(text: string): KnownBlock {
  return { type: 'header', text: { type: 'plain_text', text: text.slice(0, 150), emoji: true } };
}

export function user(id: string): string {
  return `<@${id}>`;
}

/** Slack's date formatting: every reader sees the time in their own time zone. */
export function slackDate(date: Date): string {
  const seconds = Math.floor(date.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${date.toISOString()}>`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 100) / 10;
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** A text progress bar, e.g. `▰▰▱▱▱ 2/5`. */
export function progressBar(done: number, total: number): string {
  const filled = Math.max(0, Math.min(total, done));
  return `${'▰'.repeat(filled)}${'▱'.repeat(total - filled)} ${filled}/${total}`;
}

/** Tokens and estimated cost, e.g. `12,345 tokens (9,000 from cache) · ~$0.04`. */
export function usageText(usage: Usage): string {
  const cached =
    usage.cache_read_input_tokens > 0 ? ` (${usage.cache_read_input_tokens.toLocaleString('en-US')} from cache)` : '';
  return `${totalTokens(usage).toLocaleString('en-US')} tokens${cached} · ~${usd(usage.cost_usd)}`;
}

/** An estimated dollar amount: two decimals, or `<$0.01`. */
export function usd(amount: number): string {
  return amount > 0 && amount < 0.01 ? '<$0.01' : `$${amount.toFixed(2)}`;
}
