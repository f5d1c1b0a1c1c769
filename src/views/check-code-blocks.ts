import type { KnownBlock } from '@slack/types';
import type { Check } from '../domain/records';
import { fitCode } from './code-block';
import { SECTION_LIMIT, context, escapeMrkdwn, section } from './format';

/** Code blocks a gate shows at most; the rest are in the thread as attached files. */
const MAX_SHOWN = 8;

const ICON: Record<Check['status'], string> = { pass: ':white_check_mark:', warn: ':warning:', fail: ':x:' };

/** What a cut text leaves out, and where the rest is when the check names its file. */
function cutNote(check: Check, left: number): string {
  if (!left) return '';
  const where = check.code_file ? `: the full text is in the attached file \`${escapeMrkdwn(check.code_file)}\`` : '';
  return `\n_… ${left} more line(s) not shown here${where}._`;
}

/**
 * One section per check that carries `code` (the SQL at the Branch Test gate, each CI file at the CI
 * Review gate): its result, name and detail, then the code in a block it cannot break out of, cut at
 * a line to Slack's 3,000 characters with a note saying how much is not shown and where it is.
 */
export function checkCodeBlocks(checks: Check[]): KnownBlock[] {
  const withCode = checks.filter((c) => c.code !== undefined);
  const blocks = withCode.slice(0, MAX_SHOWN).map((c) => {
    const head = `${ICON[c.status]} *${escapeMrkdwn(c.name)}*${c.detail ? ` — ${escapeMrkdwn(c.detail)}` : ''}\n`;
    const room = SECTION_LIMIT - head.length - cutNote(c, 99_999).length;
    const { block, cutLines } = fitCode(c.code!, room);
    return section(`${head}${block}${cutNote(c, cutLines + (c.code_more_lines ?? 0))}`);
  });
  const hidden = withCode.length - blocks.length;
  return hidden > 0
    ? [...blocks, context(`${hidden} more file(s) are not shown here; they are attached in the thread.`)]
    : blocks;
}
