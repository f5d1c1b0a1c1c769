import { posix } from 'node:path';
import type { Handoff } from '../../domain/handoff';
import { ActionFailedError } from '../../domain/errors';

/** A CI file the engine may send to GitHub: its normalised path and the text that was shown. */
export interface CiFile {
  path: string;
  content: string;
}

export const CI_PATH_RULE =
  '.github/workflows/<name>.yml (or .yaml), the name made of letters, digits, `.`, `_` and `-`';

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.ya?ml$/;

/**
 * The one path rule for CI files: after a posix normalisation the path is exactly
 * `.github/workflows/<name>.yml|.yaml`. Absolute paths, `..` segments (before or after normalising),
 * backslashes, NUL, other folders and other characters are refused. Returns the normalised path or
 * why it is refused.
 */
export function normaliseWorkflowPath(raw: string): { path: string } | { refused: string } {
  if (raw.includes('\0')) return { refused: 'it contains a NUL character' };
  if (raw.includes('\\')) return { refused: 'it contains a backslash' };
  if (raw.startsWith('/')) return { refused: 'it is absolute' };
  const path = posix.normalize(raw);
  if ([raw, path].some((p) => p.split('/').includes('..'))) return { refused: 'it has a `..` segment' };
  const segments = path.split('/');
  if (segments.length !== 3 || segments[0] !== '.github' || segments[1] !== 'workflows')
    return { refused: 'it is not directly in .github/workflows/' };
  if (!NAME.test(segments[2]!))
    return { refused: 'the file name is not <name>.yml or <name>.yaml with letters, digits, `.`, `_` and `-` only' };
  return { path };
}

/** A path as it can be quoted in a Slack message (NUL and newlines shown, length bounded). */
function shown(raw: string): string {
  return JSON.stringify(raw.length > 120 ? `${raw.slice(0, 120)}…` : raw);
}

function refuse(problems: string[]): never {
  throw new ActionFailedError(
    'CI review',
    `${problems.join('; ')}. CI files must be ${CI_PATH_RULE}; nothing was sent to GitHub. Propose the files again with such paths.`,
    false,
  );
}

/**
 * The CI files of a devops handoff, validated: every entry of `pipeline.files` and every yaml
 * artifact must follow the path rule, each listed file must be a yaml artifact, and each yaml
 * artifact must be listed, so what the gate shows is exactly what would be pushed. Throws an
 * unrecoverable error that names every problem.
 */
export function ciFilesOf(handoff: Handoff): CiFile[] {
  const problems: string[] = [];
  if (!handoff.pipeline) refuse(['the handoff has no `pipeline` output listing the workflow files']);
  const refused = new Set<string>();
  const refusal = (raw: string, why: string): void => {
    if (!refused.has(raw)) problems.push(`the path ${shown(raw)} is refused: ${why}`);
    refused.add(raw);
  };
  const artifacts = new Map<string, { content: string; kind: string }>();
  for (const artifact of handoff.artifacts) {
    if (artifact.kind !== 'yaml') continue;
    const result = normaliseWorkflowPath(artifact.path);
    if ('refused' in result) {
      refusal(artifact.path, result.refused);
      continue;
    }
    if (artifacts.has(result.path)) problems.push(`two artifacts are ${result.path}`);
    artifacts.set(result.path, { content: artifact.content, kind: artifact.kind });
  }
  const listed: string[] = [];
  for (const file of handoff.pipeline.files) {
    const result = normaliseWorkflowPath(file);
    if ('refused' in result) {
      refusal(file, result.refused);
      continue;
    }
    if (listed.includes(result.path)) continue;
    listed.push(result.path);
    if (!artifacts.has(result.path))
      problems.push(`pipeline.files lists ${result.path}, which is not among the yaml artifacts`);
  }
  for (const path of artifacts.keys())
    if (!listed.includes(path)) problems.push(`the yaml artifact ${path} is not listed in pipeline.files`);
  if (problems.length) refuse(problems);
  return listed.map((path) => ({ path, content: artifacts.get(path)!.content }));
}
