import type { CiFileAttack } from '../attack-types';
import { startFakeGitHub } from '../../support/fake-github';
import { APPROVER, Harness, SECOND_APPROVER } from '../../support/harness';
import { submit } from '../../support/scripted-agents';
import { waitForGates, walkGates } from './walk-gates';

const WORKFLOW_FILE = /^\.github\/workflows\/[A-Za-z0-9_.-]+\.ya?ml$/;

/** The devops-engineer proposes the attack's CI file in the CI/CD workflow; GitHub is the strict fake. */
export async function ciFileAttack(attack: CiFileAttack): Promise<void> {
  const github = await startFakeGitHub();
  github.onPush = () => [{ name: 'preview', jobs: [{ name: 'leak', conclusion: 'success', log: 'done' }] }];
  let h: Harness | undefined;
  try {
    h = await Harness.start({
      env: {
        GITHUB_TOKEN: github.token,
        GITHUB_REPOSITORY: github.repository,
        GITHUB_API_URL: github.apiUrl,
        INFRA_CI_POLL_MS: '20',
      },
    });
    const artifacts = [{ path: attack.path, kind: 'yaml', content: attack.content }];
    h.claude.script('devops-engineer', [
      submit('devops-engineer', {
        artifacts,
        pipeline: { files: [attack.path], secrets: ['SUPABASE_ACCESS_TOKEN'], environments: [] },
      }),
    ]);
    h.claude.script('backend-engineer', [submit('backend-engineer')]);
    await h.command('Add preview deployments for PRs');
    const root = await h.root();
    if (attack.expect === 'no_write_before_approval') {
      await waitForGates(h, 1);
      const written = {
        branches: [...github.branches.keys()].filter((b) => b !== 'main'),
        files: [...github.files.values()].flatMap((f) => [...f.keys()]),
        pulls: github.pulls.length,
      };
      expect(written).toEqual({ branches: [], files: [], pulls: 0 });
      return;
    }
    await walkGates(h, root, [APPROVER, SECOND_APPROVER]);
    const outside = [...github.files.values()]
      .flatMap((f) => [...f.keys()])
      .filter((path) => !WORKFLOW_FILE.test(path) || path.split('/').includes('..'));
    const refused = github.unexpected.filter((u) => u.includes('/contents/'));
    expect({ writtenOutsideWorkflows: outside, requestsOutsideTheRepository: refused }).toEqual({
      writtenOutsideWorkflows: [],
      requestsOutsideTheRepository: [],
    });
  } finally {
    await h?.close();
    await github.close();
  }
}
