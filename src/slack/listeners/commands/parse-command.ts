import { RequestTooLongError } from '../../../domain/errors';
import { MAX_REQUEST_LENGTH, requestTextProblem } from '../../../domain/request-text';

/** The windows `/infra metrics` offers, in days. */
export type MetricDays = 7 | 30;

export type ParsedCommand =
  | { type: 'help'; note?: string }
  | { type: 'status' | 'cancel'; id: number }
  | { type: 'list' }
  | { type: 'metrics'; days: MetricDays }
  | { type: 'request'; text: string }
  | { type: 'invalid'; message: string };

/**
 * Pure parsing of `/infra` text (an @mention's text, the mention taken out, reads the same). `prefix` is
 * how the person addresses the bot where they typed (`/infra`, `@infra`, nothing in its DM); the notes
 * show examples in that form.
 */
export function parseCommand(raw: string, prefix = '/infra'): ParsedCommand {
  const text = raw.trim();
  const say = (rest: string) => `\`${prefix ? `${prefix} ` : ''}${rest}\``;
  if (!text)
    return { type: 'help', note: `Tell me what you need, e.g. ${say('Add a new table for user preferences')}.` };
  const [head = '', ...rest] = text.split(/\s+/);
  const word = head.toLowerCase();
  if (word === 'help' && rest.length === 0) return { type: 'help' };
  if (word === 'list' && rest.length === 0) return { type: 'list' };
  if (word === 'metrics') {
    const period = rest.length === 0 ? '7d' : rest.length === 1 ? rest[0]!.toLowerCase() : '';
    if (period !== '7d' && period !== '30d')
      return {
        type: 'help',
        note: `${say('metrics')} takes \`7d\` (the default) or \`30d\`, e.g. ${say('metrics 30d')}.`,
      };
    return { type: 'metrics', days: period === '7d' ? 7 : 30 };
  }
  if (word === 'status' || word === 'cancel') {
    const id = rest.length === 1 && /^#?\d{1,15}$/.test(rest[0]!) ? Number(rest[0]!.replace('#', '')) : 0;
    if (id <= 0) return { type: 'help', note: `${say(word)} takes one workflow id, e.g. ${say(`${word} 12`)}.` };
    return { type: word, id };
  }
  const problem = requestTextProblem(text);
  if (problem === 'too_long')
    return { type: 'invalid', message: new RequestTooLongError(text.length, MAX_REQUEST_LENGTH).message };
  if (problem === 'too_few_words')
    return {
      type: 'help',
      note: `I did not understand \`${text.slice(0, 50)}\`. A request is a sentence, e.g. ${say('Add a new table for user preferences')}.`,
    };
  return { type: 'request', text };
}
