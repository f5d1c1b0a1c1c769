import type Anthropic from '@anthropic-ai/sdk';
import type { Usage } from '../domain/handoff';
import { estimateCostUsd } from './model-prices';

/** The SDK's usage in our shape with its estimated cost; the cache counts are null when the API does not report them. */
export function usageOf(model: string, usage: Anthropic.Usage): Usage {
  const tokens = {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
  };
  return { ...tokens, cost_usd: estimateCostUsd(model, tokens) };
}
