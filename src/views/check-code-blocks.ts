import type { KnownBlock } from '@slack/types';
import type { Check } from '../domain/records';
import { SECTION_LIMIT, context, escapeMrkdwn, section } from './format';

/** Code blocks a gate shows at most; the rest are in the thread as attached files. */
const MAX_SHOWN = 8;

/** Text inside a code block: mrkdwn control characters escaped, and no ``` that would end the block. */
function fenced(code: string): string {
  return escapeMrkdwn(code).replace(/```/g, '`\u200b`\u200b`');
}

/** One section per check that carries `code` (e.g. each CI file at the CI Review gate), cut to Slack's limits. */
export function checkCodeBlocks(checks: Check[]): KnownBlock[] {
  const withCode = checks.filter((c) => c.code !== undefined);
  const blocks = withCode.slice(0, MAX_SHOWN).map((c) => {
    const head = `*${escapeMrkdwn(c.name)}*${c.detail ? ` — ${escapeMrkdwn(c.detail)}` : ''}\n`;
    const lines = fenced(c.code!).split('\n');
    let body = lines.join('\n');
    while (head.length + body.length + 8 > SECTION_LIMIT && lines.length > 1) {
      lines.pop();
      body = `${lines.join('\n')}\n…`;
    }
    return section(`${head}\`\`\`\n${body}\n\`\`\``);
  });
  const hidden = withCode.length - blocks.length;
  return hidden > 0
    ? [...blocks, context(`${hidden} more file(s) are not shown here; they are attached in the thread.`)]
    : blocks;
}
