import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing, type Tracing } from '../../src/metrics/tracing';
import { APPROVER, Harness } from '../support/harness';
import { scriptSchemaChange } from '../support/scripted-agents';
import { createTestTarget, dropBranchesOf, type TestTarget } from '../changes/test-target';

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
  let target: TestTarget | undefined;
  afterEach(async () => {
    await h?.close();
    await tracing?.shutdown();
    collector?.server.close();
    if (target) {
      await dropBranchesOf(target);
      await target.cleanup();
      target = undefined;
    }
  });
  /** Stops the bot, then the SDK, which sends the spans still batched. */
  const flush = async () => {
    await h?.close();
    h = undefined;
    await tracing?.shutdown();
    tracing = undefined;
  };

  it('puts a workflow in one trace from request through gate click to next step: step, model, Slack and branch SQL spans', async () => {
    collector = await startCollector();
    target = await createTestTarget();
    const started = startTracing({ endpoint: collector.url, serviceName: 'infra-test' });
    tracing = started;
    // The web role (the harness's process) and a worker in a runtime of its own: two processes' worth.
    const bot = await Harness.start({
      worker: false,
      env: { TARGET_DATABASE_URL: target.url },
      runtime: { tracing: started },
    });
    h = bot;
    await bot.startRuntime({ web: false, worker: true }, { tracing: started });
    scriptSchemaChange(bot.claude);
    await bot.command('Add a new table for user preferences');
    const root = await bot.root();
    // The click is answered by the web role, which queues step 2: it must join the workflow's trace.
    await bot.click(await bot.openGate(root, 'API Review'), 'approve', APPROVER);
    await bot.openGate(root, 'Branch Test');
    await flush();

    expect(collector.paths[0]).toBe('POST /v1/traces application/json');
    const roots = collector.spans.filter((s) => s.name === 'workflow #1');
    expect(roots).toHaveLength(1);
    const [workflow] = roots;
    expect(workflow!.parentSpanId ?? '').toBe('');
    const inTrace = collector.spans.filter((s) => s.traceId === workflow!.traceId);
    // Nothing of the workflow's is in another trace: every span is under the one root.
    expect(inTrace.filter((s) => !s.parentSpanId)).toEqual([workflow]);
    // Outside it, only BullMQ's own housekeeping (stalled checks, lock renewals, closing), no job of its.
    const elsewhere = collector.spans.filter((s) => s.traceId !== workflow!.traceId).map((s) => s.name);
    expect(
      elsewhere.filter((n) => !/^(startStalledCheckTimer|moveStalledJobsToWait|extendLocks|pause|close) /.test(n)),
    ).toEqual([]);
    const names = inTrace.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'step 1/5 api-designer',
        'step 2/5 data-migration-specialist',
        'model api-designer',
        'model data-migration-specialist',
        'slack chat.postMessage',
        'slack chat.update',
        'gate approve',
      ]),
    );

    // The second step (queued by the click) is below the workflow's root, through BullMQ's job spans.
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));
    const ancestors = (span: OtlpSpan): string[] => {
      const chain: string[] = [];
      for (let p = span.parentSpanId && byId.get(span.parentSpanId); p; p = p.parentSpanId && byId.get(p.parentSpanId))
        chain.push(p.name);
      return chain;
    };
    const second = inTrace.find((s) => s.name === 'step 2/5 data-migration-specialist')!;
    // The worker's job, the web role's add of it, the click that did the add, the workflow's root.
    expect(ancestors(second)).toEqual(['process workflow', 'add workflow.step', 'gate approve', 'workflow #1']);

    // The branch test's SQL: spans under step 2, on the workflow's branch, read-only snapshots and the applies.
    const sql = inTrace.filter((s) => s.name.startsWith('sql infra-wf-'));
    expect(sql.length).toBeGreaterThanOrEqual(4);
    for (const span of sql) expect(ancestors(span)).toContain('step 2/5 data-migration-specialist');
    const readOnly = sql.map((s) => s.attributes?.find((a) => a.key === 'infra.read_only')?.value.boolValue);
    expect(readOnly).toEqual(expect.arrayContaining([true, false]));
    // The model's SQL stays out of the trace.
    expect(JSON.stringify(sql)).not.toContain('user_preferences');
  });
});
