import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgents } from '../../agents/agents-loader';
import { loadWorkflowLibrary } from './definitions-loader';
import type { KnownNames } from './definition-names';

const repo = join(__dirname, '../../../workflows');

/** The names the bot has: the repository's agents and the actions the composition root registers. */
const known: KnownNames = {
  agents: [...loadAgents(join(__dirname, '../../../agents')).keys()],
  actions: ['branch-test', 'rls-audit', 'smoke-test', 'edge-function-test', 'ci-review', 'ci-run'],
};

/** A copy of the repository's workflows in a temporary `workflows/` folder, edited, loaded once and removed. */
function withFiles(edit: (dir: string) => void): () => unknown {
  const parent = mkdtempSync(join(tmpdir(), 'wf-'));
  const dir = join(parent, 'workflows');
  mkdirSync(dir);
  for (const f of readdirSync(repo)) copyFileSync(join(repo, f), join(dir, f));
  edit(dir);
  return () => {
    try {
      return loadWorkflowLibrary(dir, known);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  };
}

/** Rewrites one file of the copy. */
function replaceIn(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(path, text.replace(from, to));
}

describe('the workflow definitions loader', () => {
  it('loads the five workflows of the repository and the mixed composition', () => {
    const library = loadWorkflowLibrary(repo);
    expect([...library.byCategory.keys()].sort()).toEqual(['api', 'cicd', 'edge_function', 'query_rls', 'schema']);
  });

  it('refuses a step with an unknown gate, naming the file and the field', () => {
    const load = withFiles((dir) =>
      writeFileSync(
        join(dir, 'bad.yml'),
        'name: bad\ntitle: Bad\ncategory: schema\nlead: x\nsteps:\n  - key: a\n    title: A\n    tasks: [t]\n    gate: vibes\n',
      ),
    );
    expect(load).toThrow(
      /^workflows\/bad\.yml is invalid: steps\[0\]\.gate: "vibes" is not a gate kind \(known: api_review, branch_test, ci_review, security, smoke_test\)\. Fix the file/, // line-length: the exact error text, as one regular expression
    );
  });

  it("loads the repository's workflows with the agents and actions the bot has", () => {
    expect(loadWorkflowLibrary(repo, known).byCategory.size).toBe(5);
  });

  it('refuses a misspelt action at load, naming the file, the field and the actions the bot has', () => {
    const load = withFiles((dir) =>
      replaceIn(dir, 'schema-change.yml', 'actions: [branch-test]', 'actions: [branch-tset]'),
    );
    expect(load).toThrow(
      /^workflows\/schema-change\.yml is invalid: steps\[1\]\.actions\[0\]: "branch-tset" is not an action this bot has \(known: branch-test, ci-review, ci-run, edge-function-test, rls-audit, smoke-test\)\. Fix the file and restart the bot\.$/, // line-length: the exact error text, as one regular expression
    );
  });

  it('refuses a step agent that is not in agents/, naming the step', () => {
    const load = withFiles((dir) =>
      replaceIn(dir, 'schema-change.yml', 'agent: backend-engineer', 'agent: backend-enginer'),
    );
    expect(load).toThrow(
      /^workflows\/schema-change\.yml is invalid: steps\[2\]\.agent: "backend-enginer" is not an agent this bot has \(known: api-designer, backend-engineer, data-migration-specialist, devops-engineer, router\)/, // line-length: the exact error text, as one regular expression
    );
  });

  it('refuses a failure_analysis agent that is not in agents/', () => {
    const load = withFiles((dir) =>
      replaceIn(dir, 'schema-change.yml', 'failure_analysis: data-migration-specialist', 'failure_analysis: dba'),
    );
    expect(load).toThrow(
      /^workflows\/schema-change\.yml is invalid: steps\[1\]\.failure_analysis: "dba" is not an agent this bot has/,
    );
  });

  it('refuses a lead that is not in agents/', () => {
    const load = withFiles((dir) =>
      replaceIn(dir, 'schema-change.yml', 'lead: data-migration-specialist', 'lead: data-migration-specalist'),
    );
    expect(load).toThrow(
      /^workflows\/schema-change\.yml is invalid: lead: "data-migration-specalist" is not an agent this bot has/,
    );
  });

  it('refuses an output that no role has, naming the list entry and the known outputs', () => {
    const load = withFiles((dir) => replaceIn(dir, 'schema-change.yml', 'outputs: [policies]', 'outputs: [policy]'));
    expect(load).toThrow(
      /^workflows\/schema-change\.yml is invalid: steps\[2\]\.outputs\[0\]: "policy" is not a role output \(known: contract, migration, pipeline, policies\)/, // line-length: the exact error text, as one regular expression
    );
  });

  it('refuses an optional output that no role has', () => {
    const load = withFiles((dir) =>
      replaceIn(dir, 'schema-change.yml', 'optional_outputs: [migration]', 'optional_outputs: [migrations]'),
    );
    expect(load).toThrow(
      /^workflows\/schema-change\.yml is invalid: steps\[2\]\.optional_outputs\[0\]: "migrations" is not a role output/,
    );
  });

  it('refuses a workflow that pushes CI files without an earlier CI Review gate', () => {
    const load = withFiles((dir) =>
      writeFileSync(
        join(dir, 'cicd-pipeline.yml'),
        'name: cicd-pipeline\ntitle: C\ncategory: cicd\nlead: devops-engineer\nsteps:\n  - key: devops\n    ' +
          'agent: devops-engineer\n    title: D\n    tasks: [t]\n    outputs: [pipeline]\n  - key: ci-run\n    ' +
          'title: Push\n    tasks: [t]\n    actions: [ci-run]\n',
      ),
    );
    expect(load).toThrow(
      /cicd-pipeline\.yml is invalid: step ci-run runs ci-run without an earlier step with the ci_review gate/,
    );
  });

  it('refuses a CI Review gate on a step that does not run the ci-review action', () => {
    const load = withFiles((dir) =>
      writeFileSync(
        join(dir, 'cicd-pipeline.yml'),
        'name: cicd-pipeline\ntitle: C\ncategory: cicd\nlead: devops-engineer\nsteps:\n  - key: devops\n    ' +
          'agent: devops-engineer\n    title: D\n    tasks: [t]\n    gate: ci_review\n',
      ),
    );
    expect(load).toThrow(/step devops has the ci_review gate, so it needs an agent and the ci-review action/);
  });

  it('refuses a second workflow for the same category', () => {
    const load = withFiles((dir) =>
      writeFileSync(
        join(dir, 'dup.yml'),
        'name: dup\ntitle: Dup\ncategory: cicd\nlead: devops-engineer\nsteps:\n  - key: devops\n    title: D\n    tasks: [t]\n',
      ),
    );
    expect(load).toThrow(/dup\.yml is invalid: a second workflow for category cicd/);
  });

  it('refuses a step key that mixed.yml does not place in its order', () => {
    const load = withFiles((dir) =>
      writeFileSync(
        join(dir, 'query-rls.yml'),
        'name: query-rls\ntitle: Q\ncategory: query_rls\nlead: backend-engineer\nsteps:\n  - key: surprise\n    title: S\n    tasks: [t]\n',
      ),
    );
    expect(load).toThrow(/order does not list step surprise/);
  });
});

describe('which steps may hand off a migration', () => {
  it('refuses a step that lists migration without an action that tests it on the branch', () => {
    const load = withFiles((dir) => {
      const file = join(dir, 'schema-change.yml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          '    outputs: [pipeline]\n',
          '    outputs: [pipeline]\n    optional_outputs: [migration]\n',
        ),
      );
    });
    expect(load).toThrow(
      /schema-change\.yml is invalid: step devops may hand off a migration but none of its actions \(branch-test or rls-audit\) tests it on the branch/, // line-length: the exact error text, as one regular expression
    );
  });

  it('lets the steps that test migrations carry one, and no other', () => {
    const library = loadWorkflowLibrary(repo);
    const carriers = [...library.byCategory.values()].flatMap((w) =>
      w.steps
        .filter((s) => [...s.outputs, ...s.optional_outputs].includes('migration'))
        .map((s) => `${w.name}/${s.key}`),
    );
    expect(carriers.sort()).toEqual([
      'api-endpoint/backend',
      'edge-function/backend',
      'query-rls/backend',
      'schema-change/backend',
      'schema-change/migration',
    ]);
  });
});
