import { blockKitProblems } from './block-kit-limits';
import { fail, isRecord, optionalString, type ApiAnswer } from './slack-api-wire';
import type { MessageContent } from './message-store';
import type { SlackBlock, SlackMessageMetadata } from './local-slack';

const MAX_TEXT_LENGTH = 40_000;

/**
 * Reads text/blocks/attachments of a chat.* call, refusing what Slack refuses; a malformed field is
 * also recorded in `unexpected`.
 */
export function readContent(
  method: string,
  p: Record<string, unknown>,
  unexpected: string[],
): MessageContent | { error: ApiAnswer } {
  const result: { text?: string; blocks?: SlackBlock[]; attachments?: SlackBlock[] } = {};
  const text = optionalString(p.text);
  if (text !== undefined) {
    if (text.length > MAX_TEXT_LENGTH) return { error: fail('msg_too_long') };
    result.text = text;
  }
  if (p.blocks !== undefined) {
    if (!Array.isArray(p.blocks)) {
      unexpected.push(`${method}: blocks is not a JSON array`);
      return { error: fail('invalid_blocks_format') };
    }
    const problems = blockKitProblems(p.blocks, 50);
    if (problems.length > 0) {
      unexpected.push(`${method}: invalid_blocks: ${problems.join('; ')}`);
      return {
        error: fail('invalid_blocks', {
          errors: problems,
          response_metadata: { messages: problems.map((m) => `[ERROR] ${m}`) },
        }),
      };
    }
    result.blocks = p.blocks as SlackBlock[];
  }
  if (p.attachments !== undefined) {
    if (!Array.isArray(p.attachments)) {
      unexpected.push(`${method}: attachments is not a JSON array`);
      return { error: fail('invalid_attachments') };
    }
    result.attachments = p.attachments as SlackBlock[];
  }
  return result;
}

/** True when a post or an edit would carry nothing: Slack answers no_text. */
export function isEmptyContent(content: MessageContent): boolean {
  return content.text === undefined && content.blocks === undefined && content.attachments === undefined;
}

/** undefined when absent, null when malformed (Slack answers invalid_metadata_format). */
export function readMetadata(
  method: string,
  value: unknown,
  unexpected: string[],
): SlackMessageMetadata | undefined | null {
  if (value === undefined) return undefined;
  if (isRecord(value) && typeof value.event_type === 'string' && isRecord(value.event_payload)) {
    return { event_type: value.event_type, event_payload: value.event_payload };
  }
  unexpected.push(`${method}: metadata must be {event_type: string, event_payload: object}`);
  return null;
}
