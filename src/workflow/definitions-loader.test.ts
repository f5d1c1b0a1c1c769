import { mkdtempSync, readdirSync, readFileSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkflowLibrary } from './definitions-loader';

const repo = join(__dirname, '../../workflows');

function withFiles(edit: (dir: string) => void): () => unknown {
  const dir = mkdtempSync(join(tmpdir(), 'wf-'));
  for (const f of readdirSync(repo)) copyFileSync(join(repo, f), join(dir, f));
  edit(dir);
  return () => {
    try {
      return loadWorkflowLibrary(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('the workflow definitions loader', () => {
  it('loads the five workflows of the repository and the mixed composition', () => {
    const library = loadWorkflowLibrary(repo);
    expect([...library.byCategory.keys()].sort()).toEqual(['api', 'cicd', 'edge_function', 'query_rls', 'schema']);
  });

  it('refuses a step with an unknown gate, naming the file and the field', () => {
    const load = withFiles((dir) => writeFileSync(join(dir, 'bad.yml'), 'name: bad\ntitle: Bad\ncategory: schema\nlead: x\nsteps:\n  - key: a\n    title: A\n    tasks: [t]\n    gate: vibes\n'));
    expect(load).toThrow(/bad\.yml is invalid: steps\.0\.gate/);
  });

  it('refuses a workflow that pushes CI files without an earlier CI Review gate', () => {
    const load = withFiles((dir) => writeFileSync(join(dir, 'cicd-pipeline.yml'), 'name: cicd-pipeline\ntitle: C\ncategory: cicd\nlead: devops-engineer\nsteps:\n  - key: devops\n    agent: devops-engineer\n    title: D\n    tasks: [t]\n    outputs: [pipeline]\n  - key: ci-run\n    title: Push\n    tasks: [t]\n    actions: [ci-run]\n'));
    expect(load).toThrow(/cicd-pipeline\.yml is invalid: step ci-run runs ci-run without an earlier step with the ci_review gate/);
  });

  it('refuses a CI Review gate on a step that does not run the ci-review action', () => {
    const load = withFiles((dir) => writeFileSync(join(dir, 'cicd-pipeline.yml'), 'name: cicd-pipeline\ntitle: C\ncategory: cicd\nlead: devops-engineer\nsteps:\n  - key: devops\n    agent: devops-engineer\n    title: D\n    tasks: [t]\n    gate: ci_review\n'));
    expect(load).toThrow(/step devops has the ci_review gate, so it needs an agent and the ci-review action/);
  });

  it('refuses a second workflow for the same category', () => {
    const load = withFiles((dir) => writeFileSync(join(dir, 'dup.yml'), 'name: dup\ntitle: Dup\ncategory: cicd\nlead: devops-engineer\nsteps:\n  - key: devops\n    title: D\n    tasks: [t]\n'));
    expect(load).toThrow(/dup\.yml is invalid: a second workflow for category cicd/);
  });

  it('refuses a step key that mixed.yml does not place in its order', () => {
    const load = withFiles((dir) => writeFileSync(join(dir, 'query-rls.yml'), 'name: query-rls\ntitle: Q\ncategory: query_rls\nlead: backend-engineer\nsteps:\n  - key: surprise\n    title: S\n    tasks: [t]\n'));
    expect(load).toThrow(/order does not list step surprise/);
  });
});

describe('which steps may hand off a migration', () => {
  it('refuses a step that lists migration without an action that tests it on the branch', () => {
    const load = withFiles((dir) => {
      const file = join(dir, 'schema-change.yml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('    outputs: [pipeline]\n', '    outputs: [pipeline]\n    optional_outputs: [migration]\n'));
    });
    expect(load).toThrow(/schema-change\.yml is invalid: step devops may hand off a migration but none of its actions \(branch-test or rls-audit\) tests it on the branch/);
  });

  it('lets the steps that test migrations carry one, and no other', () => {
    const library = loadWorkflowLibrary(repo);
    const carriers = [...library.byCategory.values()].flatMap((w) => w.steps.filter((s) => [...s.outputs, ...s.optional_outputs].includes('migration')).map((s) => `${w.name}/${s.key}`));
    expect(carriers.sort()).toEqual(['api-endpoint/backend', 'edge-function/backend', 'query-rls/backend', 'schema-change/backend', 'schema-change/migration']);
  });
});
