import type { Handoff } from '../../domain/handoff';
import { ciFilesOf, normaliseWorkflowPath } from './ci-file-policy';

function handoff(
  artifacts: Array<{ path: string; kind?: Handoff['artifacts'][number]['kind']; content?: string }>,
  files: string[],
): Handoff {
  return {
    summary: 's',
    context: 'c',
    artifacts: artifacts.map((a) => ({ kind: 'yaml', content: 'on: push\njobs: {}\n', ...a })),
    next_steps: [],
    constraints: [],
    pipeline: { files, secrets: [], environments: [] },
  };
}

describe('the CI path rule', () => {
  it.each([
    ['.github/workflows/preview.yml', '.github/workflows/preview.yml'],
    ['.github/workflows/deploy-preview_2.yaml', '.github/workflows/deploy-preview_2.yaml'],
    ['./.github/workflows/preview.yml', '.github/workflows/preview.yml'],
    ['.github//workflows/./preview.yml', '.github/workflows/preview.yml'],
  ])('accepts %s as %s', (raw, path) => {
    expect(normaliseWorkflowPath(raw)).toEqual({ path });
  });

  it.each([
    ['.github/workflows/../../src/evil.yml', /`\.\.` segment/],
    ['../x.yml', /`\.\.` segment/],
    ['.github/workflows/..', /`\.\.` segment/],
    ['/.github/workflows/x.yml', /absolute/],
    ['.github\\workflows\\x.yml', /backslash/],
    ['.github/workflows/x\0.yml', /NUL/],
    ['.github/actions/x.yml', /not directly in \.github\/workflows/],
    ['.github/workflows/sub/x.yml', /not directly in \.github\/workflows/],
    ['.GitHub/workflows/x.yml', /not directly in \.github\/workflows/],
    ['src/x.yml', /not directly in \.github\/workflows/],
    ['', /not directly in \.github\/workflows/],
    ['.github/workflows/x.sh', /file name/],
    ['.github/workflows/.yml', /file name/],
    ['.github/workflows/x y.yml', /file name/],
    ['.github/workflows/$(id).yml', /file name/],
    ['.github/workflows/é.yml', /file name/],
  ])('refuses %j', (raw, why) => {
    const result = normaliseWorkflowPath(raw);
    expect('refused' in result && result.refused).toMatch(why);
  });
});

describe('the CI files of a handoff', () => {
  it('returns the listed yaml artifacts under their normalised paths', () => {
    const files = ciFilesOf(
      handoff(
        [
          { path: './.github/workflows/a.yml', content: 'A' },
          { path: 'README.md', kind: 'markdown' },
        ],
        ['.github/workflows/a.yml'],
      ),
    );
    expect(files).toEqual([{ path: '.github/workflows/a.yml', content: 'A' }]);
  });

  it('refuses a yaml artifact with a .. path even when pipeline.files does not list it, and says nothing was sent', () => {
    expect(() =>
      ciFilesOf(
        handoff(
          [{ path: '.github/workflows/a.yml' }, { path: '.github/workflows/../../src/evil.yml' }],
          ['.github/workflows/a.yml'],
        ),
      ),
    ).toThrow(
      /"\.github\/workflows\/\.\.\/\.\.\/src\/evil\.yml" is refused: it has a `\.\.` segment.*nothing was sent to GitHub/,
    );
  });

  it('refuses a listed file that is not among the yaml artifacts', () => {
    expect(() =>
      ciFilesOf(handoff([{ path: '.github/workflows/a.yml', kind: 'text' }], ['.github/workflows/a.yml'])),
    ).toThrow(/pipeline\.files lists \.github\/workflows\/a\.yml, which is not among the yaml artifacts/);
  });

  it('refuses a yaml artifact that pipeline.files does not list, so the gate shows exactly what is pushed', () => {
    expect(() =>
      ciFilesOf(
        handoff(
          [{ path: '.github/workflows/a.yml' }, { path: '.github/workflows/b.yml' }],
          ['.github/workflows/a.yml'],
        ),
      ),
    ).toThrow(/the yaml artifact \.github\/workflows\/b\.yml is not listed in pipeline\.files/);
  });

  it('refuses two artifacts that normalise to the same path', () => {
    expect(() =>
      ciFilesOf(
        handoff(
          [{ path: '.github/workflows/a.yml' }, { path: './.github/workflows/a.yml' }],
          ['.github/workflows/a.yml'],
        ),
      ),
    ).toThrow(/two artifacts are \.github\/workflows\/a\.yml/);
  });

  it('refuses a handoff without a pipeline output', () => {
    expect(() => ciFilesOf({ ...handoff([], []), pipeline: undefined })).toThrow(/no `pipeline` output/);
  });
});
