import { Counter, Histogram, type Registry } from 'prom-client';
import type { ModelCallRecorder } from '../domain/model-call';

const LATENCY_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];
const TOKEN_KINDS = [
  ['input', 'input_tokens'],
  ['output', 'output_tokens'],
  ['cache_read', 'cache_read_input_tokens'],
  ['cache_write', 'cache_creation_input_tokens'],
] as const;

/**
 * Registers the model-call metrics of this process on `registry` and returns the recorder the agent
 * runner and the router are given: a latency histogram by agent and outcome, and counters of tokens
 * (by kind) and of estimated cost, by agent and model.
 */
export function modelCallMetrics(registry: Registry): ModelCallRecorder {
  const latency = new Histogram({
    name: 'infra_model_call_duration_seconds',
    help: 'Latency of Messages API calls of this process, SDK retries included, by agent and outcome',
    labelNames: ['agent', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'infra_model_tokens_total',
    help: 'Tokens of the model calls of this process, by agent, model and kind (input, output, cache_read, cache_write)',
    labelNames: ['agent', 'model', 'kind'],
    registers: [registry],
  });
  const cost = new Counter({
    name: 'infra_model_cost_usd_total',
    help: 'Estimated cost in US dollars, at list prices, of the model calls of this process, by agent and model',
    labelNames: ['agent', 'model'],
    registers: [registry],
  });
  return ({ agent, model, seconds, outcome, usage }) => {
    latency.observe({ agent, outcome }, seconds);
    if (!usage) return;
    for (const [kind, field] of TOKEN_KINDS) tokens.inc({ agent, model, kind }, usage[field]);
    cost.inc({ agent, model }, usage.cost_usd);
  };
}
