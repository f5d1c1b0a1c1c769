/** Anything shaped like a Slack message: chat messages, ephemerals, response_url bodies. */
export interface HasSlackText {
  text?: string;
  blocks?: unknown;
  attachments?: unknown;
}

/** Keys whose subtrees a user does not see on the rendered message. */
const HIDDEN_KEYS = new Set([
  'confirm',
  'value',
  'action_id',
  'block_id',
  'url',
  'image_url',
  'style',
  'private_metadata',
]);

/**
 * What a user reads on a message: its `text` followed by every visible text in its blocks
 * (section text and fields, headers, context elements, button and option texts, rich text)
 * and in legacy attachments, one piece per line. Undefined gives ''.
 */
export function textOf(message: HasSlackText | undefined): string {
  if (message === undefined) {
    return '';
  }
  const parts: string[] = [];
  if (typeof message.text === 'string' && message.text !== '') {
    parts.push(message.text);
  }
  collect(message.blocks, parts);
  if (Array.isArray(message.attachments)) {
    for (const attachment of message.attachments) {
      collectAttachment(attachment, parts);
    }
  }
  return parts.join('\n');
}

function collectAttachment(attachment: unknown, parts: string[]): void {
  if (!isRecord(attachment)) {
    return;
  }
  for (const key of ['pretext', 'title', 'text'] as const) {
    const value = attachment[key];
    if (typeof value === 'string' && value !== '') {
      parts.push(value);
    }
  }
  if (Array.isArray(attachment.fields)) {
    for (const field of attachment.fields) {
      if (isRecord(field)) {
        for (const key of ['title', 'value'] as const) {
          const value = field[key];
          if (typeof value === 'string' && value !== '') {
            parts.push(value);
          }
        }
      }
    }
  }
  collect(attachment.blocks, parts);
}

function collect(node: unknown, parts: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) {
      collect(item, parts);
    }
    return;
  }
  if (!isRecord(node)) {
    return;
  }
  // Rich text links without a label show their URL.
  if (node.type === 'link' && typeof node.url === 'string' && typeof node.text !== 'string') {
    parts.push(node.url);
  }
  for (const [key, value] of Object.entries(node)) {
    if (HIDDEN_KEYS.has(key)) {
      continue;
    }
    if (key === 'text' && typeof value === 'string') {
      if (value !== '') {
        parts.push(value);
      }
      continue;
    }
    collect(value, parts);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
