/** The longest request text a workflow accepts, from `/infra` or the HTTP API (characters, after trimming). */
export const MAX_REQUEST_LENGTH = 3000;

/** The fewest words a request has: shorter input is a typo or a subcommand, not a request. */
export const MIN_REQUEST_WORDS = 3;

/** What is wrong with a request's (trimmed) text, or undefined when a workflow may start from it. */
export function requestTextProblem(text: string): 'too_long' | 'too_few_words' | undefined {
  if (text.length > MAX_REQUEST_LENGTH) return 'too_long';
  if (text.split(/\s+/).filter(Boolean).length < MIN_REQUEST_WORDS) return 'too_few_words';
  return undefined;
}
