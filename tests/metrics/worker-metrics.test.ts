import { setTimeout as sleep } from 'node:timers/promises';
import { Harness } from '../support/harness';
import { submit } from '../support/scripted-agents';

/** The value of one sample line of a Prometheus text page, or undefined when it is not there. */
function sample(page: string, series: string): number | undefined {
  const line = page.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(port: number, path = '/metrics'): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
}

describe("a worker-only process's own /metrics and /healthz", () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('serves the model calls this worker made, by agent and model, with their tokens and cost', async () => {
    h = await Harness.start({ worker: false, env: { INFRA_WORKER_METRICS_PORT: '0' } });
    expect(h.runtime.metricsPort).toBeUndefined();
    const worker = await h.startRuntime({ web: false, worker: true });
    const port = worker.metricsPort!;
    expect(port).toBeGreaterThan(0);

    h.claude.script('router', [
      { toolUse: { name: 'choose_workflow', input: { categories: ['cicd'], reason: 'it is about the pipeline' } } },
    ]);
    h.claude.script('devops-engineer', [submit('devops-engineer')]);
    await h.command('make onboarding of new engineers faster');

    const router = 'agent="router",model="claude-sonnet-4-6"';
    const devops = 'agent="devops-engineer",model="claude-sonnet-4-6"';
    let page = '';
    for (let i = 0; i < 100 && sample(page, `infra_model_cost_usd_total{${devops}}`) === undefined; i++) {
      await sleep(200);
      page = (await scrape(port)).text;
    }
    expect(sample(page, 'infra_model_call_duration_seconds_count{agent="router",outcome="ok"}')).toBe(1);
    expect(sample(page, 'infra_model_call_duration_seconds_count{agent="devops-engineer",outcome="ok"}')).toBe(1);
    expect(sample(page, `infra_model_tokens_total{${router},kind="input"}`)).toBeGreaterThan(0);
    expect(sample(page, `infra_model_tokens_total{${devops},kind="output"}`)).toBeGreaterThan(0);
    expect(sample(page, `infra_model_cost_usd_total{${router}}`)).toBeGreaterThan(0);
    expect(page).toContain('# TYPE infra_slack_errors_total counter');
    expect(page).toContain('# TYPE infra_anthropic_errors_total counter');

    const web = await scrape(h.runtime.port!);
    expect(web.text).toContain('# TYPE infra_model_call_duration_seconds histogram');
    expect(web.text).not.toContain('infra_model_call_duration_seconds_count{agent="router"');

    expect(await scrape(port, '/healthz')).toEqual({ status: 200, text: '{"ok":true}' });
    expect((await scrape(port, '/slack/events')).status).toBe(404);
  });

  it('serves nothing of its own when web and worker share the process: the web port has both', async () => {
    h = await Harness.start({ env: { INFRA_WORKER_METRICS_PORT: '0' } });
    expect(h.runtime.metricsPort).toBeUndefined();
    const page = await scrape(h.runtime.port!);
    expect(page.text).toContain('# TYPE infra_model_tokens_total counter');
    expect(page.text).toContain('# TYPE infra_jobs gauge');
  });
});
