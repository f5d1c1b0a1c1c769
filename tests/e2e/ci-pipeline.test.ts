import { textOf } from '../support/fake-slack';
import { FakeGitHub, startFakeGitHub } from '../support/fake-github';
import { APPROVER, Harness } from '../support/harness';
import { submit } from '../support/scripted-agents';

const PREVIEW_YML = 'name: preview\non: [pull_request]\njobs:\n  deploy-preview:\n    runs-on: ubuntu-latest\n    steps:\n      - run: supabase branches create\n';

describe('CI/CD changes tried on a GitHub branch', () => {
  let h: Harness;
  let github: FakeGitHub;

  beforeEach(async () => {
    github = await startFakeGitHub();
  });
  afterEach(async () => {
    await h?.close();
    await github.close();
  });

  async function start(): Promise<void> {
    h = await Harness.start({ env: { GITHUB_TOKEN: github.token, GITHUB_REPOSITORY: github.repository, GITHUB_API_URL: github.apiUrl, INFRA_CI_POLL_MS: '20' } });
    h.claude.script('devops-engineer', [submit('devops-engineer', { artifacts: [{ path: '.github/workflows/preview.yml', kind: 'yaml', content: PREVIEW_YML }] })]);
  }

  it('commits the CI files to a branch, opens a pull request, waits for its runs and, after approval, points to the pull request', async () => {
    await start();
    github.onPush = (_branch, files) => (files.has('.github/workflows/preview.yml') ? [{ name: 'preview', readsUntilDone: 3, jobs: [{ name: 'deploy-preview', conclusion: 'success', log: 'deployed' }] }] : []);
    h.claude.script('backend-engineer', [submit('backend-engineer', { policies: undefined })]);
    await h.command('Add preview deployments for PRs');
    const root = await h.root();
    const step = await h.waitForInThread(root, /\[1\/3\] Invoking devops-engineer\.\.\. done/);
    expect(textOf(step)).toMatch(/1 CI run\(s\) passed on infra-wf-1; pull request #1/);
    expect(github.files.get('infra-wf-1')?.get('.github/workflows/preview.yml')).toBe(PREVIEW_YML);
    expect(github.pulls).toEqual([expect.objectContaining({ number: 1, head: 'infra-wf-1', base: 'main', state: 'open' })]);

    await h.click(await h.openGate(root, 'Smoke Test'), 'approve', APPROVER);
    const approved = await h.waitForInThread(root, /CI changes approved/);
    expect(textOf(approved)).toContain('pull request #1 (https://github.com/acme/platform/pull/1) passed CI on `infra-wf-1`');
    await h.waitForState('succeeded');
    expect(github.branches.has('infra-wf-1')).toBe(true);
    expect(github.pulls[0]!.state).toBe('open');
    expect(github.unexpected).toEqual([]);
  });

  it('stops the workflow with the failed job log in the thread, closes the pull request and deletes the branch when CI fails', async () => {
    await start();
    github.onPush = () => [{ name: 'preview', jobs: [{ name: 'deploy-preview', conclusion: 'failure', log: 'Run supabase branches create\nError: Invalid project ref format\n##[error]Process completed with exit code 1.' }] }];
    await h.command('Add preview deployments for PRs');
    const root = await h.root();
    await h.waitForState('failed');
    const step = await h.waitForInThread(root, /\[1\/3\] Invoking devops-engineer\.\.\. failed/);
    expect(textOf(step)).toContain('preview failure (https://github.com/acme/platform/actions/runs/');
    expect(textOf(step)).toContain('Error: Invalid project ref format');
    expect(textOf(step)).toContain('nothing was merged');
    await h.waitForInThread(root, /Workflow failed/);
    await h.slack.waitFor(() => github.pulls[0]?.state === 'closed' || undefined, { description: 'pull request closed' });
    // The branch is deleted right after the pull request is closed, by a second call.
    await h.slack.waitFor(() => !github.branches.has('infra-wf-1') || undefined, { description: 'branch deleted' });
    expect(github.unexpected).toEqual([]);
  });

  it('shows the CI files as not run when no repository is configured', async () => {
    h = await Harness.start();
    h.claude.script('devops-engineer', [submit('devops-engineer', { artifacts: [{ path: '.github/workflows/preview.yml', kind: 'yaml', content: PREVIEW_YML }] })]);
    h.claude.script('backend-engineer', [submit('backend-engineer', { policies: undefined })]);
    await h.command('Add preview deployments for PRs');
    const root = await h.root();
    const step = await h.waitForInThread(root, /\[1\/3\] Invoking devops-engineer\.\.\. done/);
    expect(textOf(step)).toContain(':warning: CI run — not run: set GITHUB_TOKEN and GITHUB_REPOSITORY to try the CI files on a branch');
    await h.openGate(root, 'Smoke Test');
    expect(github.branches.size).toBe(1);
  });
});
