import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  context,
  trace,
} from '@opentelemetry/api';
import { z } from 'zod';

/**
 * The OpenTelemetry tracer every part of the bot records its spans under. The parts use the global
 * OpenTelemetry API, which does nothing until the composition root starts the SDK
 * (OTEL_EXPORTER_OTLP_ENDPOINT, src/metrics/tracing.ts).
 */
export const TRACER_NAME = 'infra-orchestrator';

/** A W3C `traceparent` value: version 00, trace id, parent span id, flags. */
export const traceParentSchema = z.string().regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);

/** A span's context as a W3C `traceparent` value. */
export function formatTraceParent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}`;
}

/** The context whose (remote) parent is the span of a `traceparent`; undefined for a malformed one. */
export function contextOf(traceParent: string | null | undefined): Context | undefined {
  const parsed = traceParentSchema.safeParse(traceParent);
  if (!parsed.success) return undefined;
  const [, traceId, spanId, flags] = parsed.data.split('-') as [string, string, string, string];
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
  });
}

/**
 * Runs `fn` as the active span `name` (below `parent`, or the active context) and ends it. An error marks
 * the span failed and is thrown on: with its message and exception event, or, with `hideError` (a driver's
 * message may name a host the trace backend should not see), with only its kind as `error.type`.
 */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
  opts: { parent?: Context; hideError?: boolean } = {},
): Promise<T> {
  return tracer.startActiveSpan(name, options, opts.parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      const e = error as Error;
      if (opts.hideError) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute('error.type', e.name);
      } else {
        span.recordException(e);
        span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      }
      throw error;
    } finally {
      span.end();
    }
  });
}
