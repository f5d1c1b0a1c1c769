import type { KnownBlock } from '@slack/types';

/** What a view builder returns: fallback text (notifications, screen readers) and the blocks. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}
