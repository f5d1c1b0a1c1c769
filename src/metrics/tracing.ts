import { type Attributes, SpanKind, SpanStatusCode, type Tracer, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BullMQOtel } from 'bullmq-otel';
import type { ModelCallRecorder } from '../domain/model-call';
import { inSpan } from '../domain/telemetry';
import { type ErrorCounters, slackCountingFetch, slackMethod } from './error-counters';

/** OpenTelemetry of one process: the tracer, BullMQ's telemetry, and the exporter's shutdown (flushes). */
export interface Tracing {
  tracer: Tracer;
  /** For BullMQ's `telemetry` option: each job carries its producer's trace context to the worker. */
  bullmq: BullMQOtel;
  shutdown(): Promise<void>;
}

const TRACER = 'infra-orchestrator';

/**
 * Starts the OpenTelemetry SDK with an OTLP/HTTP (JSON) trace exporter to `${endpoint}/v1/traces`
 * (OTEL_EXPORTER_OTLP_ENDPOINT). Only the composition root calls it, once per process, and only when
 * the endpoint is set: without it nothing is traced and nothing is sent.
 */
export function startTracing(opts: { endpoint: string; serviceName: string }): Tracing {
  const sdk = new NodeSDK({
    serviceName: opts.serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${opts.endpoint.replace(/\/+$/, '')}/v1/traces` }),
    instrumentations: [],
  });
  sdk.start();
  return {
    tracer: trace.getTracer(TRACER),
    bullmq: new BullMQOtel({ tracerName: TRACER }),
    shutdown: () => sdk.shutdown(),
  };
}

/** A fetch whose every call is a client span `<system> <method>` in the current trace. */
export function tracedFetch(
  tracer: Tracer,
  system: string,
  nameOf: (url: string) => string,
  inner = fetch,
): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const attributes: Attributes = {
      'http.request.method': init?.method ?? 'GET',
      'server.address': new URL(url).host,
    };
    return inSpan(tracer, `${system} ${nameOf(url)}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const response = await inner(input, init);
      span.setAttribute('http.response.status_code', response.status);
      if (!response.ok) span.setStatus({ code: SpanStatusCode.ERROR });
      return response;
    });
  };
}

/**
 * A model-call recorder that also records each call as a span `model <agent>` in the current trace (the
 * job's), started when the call started: the runner reports a call when it ends.
 */
export function tracedModelCalls(tracer: Tracer, inner: ModelCallRecorder): ModelCallRecorder {
  return (call) => {
    inner(call);
    const end = Date.now();
    const span = tracer.startSpan(
      `model ${call.agent}`,
      {
        kind: SpanKind.CLIENT,
        startTime: end - call.seconds * 1000,
        attributes: {
          'gen_ai.system': 'anthropic',
          'gen_ai.request.model': call.model,
          'infra.agent': call.agent,
          ...(call.usage
            ? {
                'gen_ai.usage.input_tokens': call.usage.input_tokens,
                'gen_ai.usage.output_tokens': call.usage.output_tokens,
                'infra.cost_usd': call.usage.cost_usd,
              }
            : {}),
        },
      },
      context.active(),
    );
    if (call.outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(end);
  };
}

/** The Web API client's fetch: failed calls counted, and each call a span `slack <method>` when tracing. */
export function slackFetch(counter: ErrorCounters['slack'], tracing?: Pick<Tracing, 'tracer'>): typeof fetch {
  return slackCountingFetch(counter, tracing ? tracedFetch(tracing.tracer, 'slack', slackMethod) : fetch);
}
