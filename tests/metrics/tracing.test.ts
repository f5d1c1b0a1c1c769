import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTracing, type Tracing } from '../../src/metrics/tracing';
import { Harness } from '../support/harness';
import { submit } from '../support/scripted-agents';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

/** A local OTLP/HTTP collector: it keeps the spans of every JSON export to /v1/traces. */
async function startCollector(): Promise<{ url: string; spans: OtlpSpan[]; paths: string[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const r of body.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, paths, server };
}

describe('traces over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
  let h: Harness | undefined;
  let tracing: Tracing | undefined;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  afterEach(async () => {
    await h?.close();
    await tracing?.shutdown();
    collector?.server.close();
  });
  /** Stops the bot, then the SDK, which sends the spans still batched. */
  const flush = async () => {
    await h?.close();
    h = undefined;
    await tracing?.shutdown();
    tracing = undefined;
  };

  it("follows a request from the web role's enqueue into the worker's jobs, with model and Slack calls, in one trace", async () => {
    collector = await startCollector();
    const started = startTracing({ endpoint: collector.url, serviceName: 'infra-test' });
    tracing = started;
    const bot = await Harness.start({ worker: false, runtime: { tracing: started } });
    h = bot;
    await bot.startRuntime({ web: false, worker: true }, { tracing: started });
    bot.claude.script('router', [
      { toolUse: { name: 'choose_workflow', input: { categories: ['cicd'], reason: 'it is about the pipeline' } } },
    ]);
    bot.claude.script('devops-engineer', [submit('devops-engineer')]);
    await bot.command('make onboarding of new engineers faster');
    const root = await bot.root();
    await bot.waitForInThread(root, /^\[1\/4\] Invoking devops-engineer\.\.\./);
    for (let i = 0; i < 50 && bot.claude.remainingTurns('devops-engineer') > 0; i++) await sleep(200);
    await sleep(500);
    await flush();

    expect(collector.paths[0]).toBe('POST /v1/traces application/json');
    const names = collector.spans.map((s) => s.name);
    if (!names.includes('model router')) throw new Error(`spans received: ${names.join(', ')}`);
    const router = collector.spans.find((s) => s.name === 'model router');
    expect(router).toBeDefined();
    const trace = collector.spans.filter((s) => s.traceId === router!.traceId);
    const inTrace = trace.map((s) => s.name);
    expect(inTrace).toEqual(
      expect.arrayContaining(['model router', 'model devops-engineer', 'slack chat.postMessage']),
    );
    expect(inTrace.filter((n) => /workflow/.test(n)).length).toBeGreaterThanOrEqual(4);
    // The trace starts where the web role queued the plan job: one root span, everything else below it.
    expect(trace.filter((s) => !s.parentSpanId)).toHaveLength(1);
    expect(names.length).toBeGreaterThan(inTrace.length - 1);
  });
});
