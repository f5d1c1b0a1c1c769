import { CHANNEL, Harness } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import { submit } from '../support/scripted-agents';

describe('routing and pre-flight checks', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('asks Claude only when the rules are unsure, and says in the thread why the workflow was chosen', async () => {
    h = await Harness.start();
    h.claude.script('router', [
      {
        toolUse: {
          name: 'choose_workflow',
          input: {
            categories: ['cicd'],
            reason: 'faster onboarding here means automating environment setup in the pipeline',
          },
        },
      },
    ]);
    h.claude.script('devops-engineer', [submit('devops-engineer')]);
    await h.command('make onboarding of new engineers faster');
    const root = await h.root();
    const plan = await h.waitForInThread(root, /Plan: CI\/CD pipeline update/);
    expect(textOf(plan)).toContain(
      'Claude chose it because faster onboarding here means automating environment setup in the pipeline',
    );
    await h.waitForInThread(root, /^\[1\/4\] Invoking devops-engineer\.\.\./);
    expect(h.claude.requestsFor('router')).toHaveLength(1);
    const { rows } = await h.pool.query(
      `SELECT data FROM events WHERE workflow_id = 1 AND type = 'model_call' AND data->>'purpose' = 'routing'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].data.usage.input_tokens).toBeGreaterThan(0);
  });

  it('does not ask Claude when the rules are sure', async () => {
    h = await Harness.start();
    h.claude.script('api-designer', [{ hang: true }]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.waitForInThread(root, /^\[1\/5\] Invoking api-designer/);
    expect(h.claude.requestsFor('router')).toHaveLength(0);
  });

  it('stops before the first step when the target database does not answer, saying what to check', async () => {
    h = await Harness.start({ env: { TARGET_DATABASE_URL: 'postgres://infra:s3cret@127.0.0.1:1/app' } });
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    const preflight = await h.waitForInThread(root, /Pre-flight checks failed/);
    expect(textOf(preflight)).toContain('Development environment available');
    expect(textOf(preflight)).toContain('check TARGET_DATABASE_URL');
    expect(textOf(preflight)).not.toContain('s3cret');
    await h.waitForState('failed');
    expect(h.claude.requests).toHaveLength(0);
    await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, root.ts)).includes('Pre-flight checks failed'), {
      description: 'root shows why',
    });
  });
});
