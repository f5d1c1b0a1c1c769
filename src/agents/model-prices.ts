import type { Usage } from '../domain/handoff';

/** US dollars per million tokens. */
interface Price {
  input: number;
  output: number;
}

/**
 * List prices per model family, newest first, used for *estimates* in the thread and the report: the
 * invoice is the truth (batch, regional and negotiated prices differ). A 5-minute cache write costs
 * 1.25× the input price and a cache read 0.1×. A model matching no pattern is priced as Sonnet.
 */
const PRICES: Array<{ pattern: RegExp; price: Price }> = [
  { pattern: /opus-4-[5-9]|opus-[5-9]/, price: { input: 5, output: 25 } },
  { pattern: /opus/, price: { input: 15, output: 75 } },
  { pattern: /haiku-4|haiku-[5-9]/, price: { input: 1, output: 5 } },
  { pattern: /3-5-haiku|haiku-3-5/, price: { input: 0.8, output: 4 } },
  { pattern: /haiku/, price: { input: 0.25, output: 1.25 } },
  { pattern: /sonnet/, price: { input: 3, output: 15 } },
];
const FALLBACK: Price = { input: 3, output: 15 };

export const CACHE_WRITE_FACTOR = 1.25;
export const CACHE_READ_FACTOR = 0.1;

/** The estimated cost in US dollars of the tokens in `usage` on `model`. */
export function estimateCostUsd(model: string, usage: Omit<Usage, 'cost_usd'>): number {
  const price = PRICES.find((p) => p.pattern.test(model))?.price ?? FALLBACK;
  const input =
    usage.input_tokens * price.input +
    usage.cache_creation_input_tokens * price.input * CACHE_WRITE_FACTOR +
    usage.cache_read_input_tokens * price.input * CACHE_READ_FACTOR;
  return (input + usage.output_tokens * price.output) / 1_000_000;
}
