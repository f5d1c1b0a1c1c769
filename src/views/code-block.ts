import { escapeMrkdwn } from './format';

/**
 * Untrusted text (SQL, a CI file) as a Slack code block that nothing in it can leave: `&`, `<` and `>`
 * are escaped, so `<!channel>` or `<@U…>` are neither a mention nor a link, and a zero-width space
 * goes between any two backticks, so no run of them can close the block (or open another).
 */
export function codeBlock(code: string): string {
  const body = escapeMrkdwn(code).replace(/`(?=`)/g, '`\u200b');
  return `\`\`\`\n${body || ' '}\n\`\`\``;
}

/**
 * The first whole lines of `code` whose code block fits in `budget` characters, and how many lines
 * were left out (a first line longer than the budget is shown in part and counts as left out).
 */
export function fitCode(code: string, budget: number): { block: string; cutLines: number } {
  const whole = codeBlock(code);
  if (whole.length <= budget) return { block: whole, cutLines: 0 };
  const lines = code.split('\n');
  let shown = 0;
  while (shown < lines.length && codeBlock(lines.slice(0, shown + 1).join('\n')).length <= budget) shown++;
  if (shown) return { block: codeBlock(lines.slice(0, shown).join('\n')), cutLines: lines.length - shown };
  let chars = Math.max(0, budget - 10);
  while (chars > 0 && codeBlock(`${lines[0]!.slice(0, chars)}…`).length > budget) chars -= 50;
  return { block: codeBlock(`${lines[0]!.slice(0, Math.max(0, chars))}…`), cutLines: lines.length };
}
