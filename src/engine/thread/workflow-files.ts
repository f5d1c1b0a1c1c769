import { join, normalize, posix } from 'node:path';
import type { Artifact } from '../../domain/handoff';
import { listArtifacts, saveArtifact } from '../../store/artifacts-repo';
import type { Workflow } from '../../domain/records';
import type { EngineDeps } from '../deps';
import { writePrivateFile } from '../../store/private-files';
import { completeMessage, findMessage, reserveMessage } from '../../store/slack-messages-repo';

type File = Pick<Artifact, 'path' | 'content'>;

/** The key under which a file the bot stored for a workflow counts as attached. */
function storedKey(workflow: Workflow, path: string): string {
  return `wf:${workflow.id}:file:${path}`;
}

/**
 * Keeps a file the bot made for a workflow (plan, report): stored in Postgres with the workflow,
 * written under the workspace directory at `path` (0600, in 0700 folders), and attached to the thread once:
 * now, or with the next upload (a step's files), so it does not take a thread message of its own. Safe to repeat.
 */
export async function storeWorkflowFile(
  deps: EngineDeps,
  workflow: Workflow,
  file: Pick<Artifact, 'path' | 'kind' | 'content'>,
  opts: { attach: 'now' | 'with-next-upload' } = { attach: 'now' },
): Promise<void> {
  await saveArtifact(deps.pool, { workflowId: workflow.id, ...file });
  const absolute = join(deps.workspaceDir, normalize(file.path));
  await writePrivateFile(deps.workspaceDir, absolute, file.content);
  if (opts.attach === 'now') await attachArtifacts(deps, workflow, `wf:${workflow.id}:file:${file.path}`, [file]);
}

/**
 * Attaches files to the workflow's thread in one upload (one message sharing them all), once per key;
 * files the bot stored for the workflow count as attached from then on.
 */
export async function attachArtifacts(deps: EngineDeps, workflow: Workflow, key: string, files: File[]): Promise<void> {
  if (!workflow.root_ts || !files.length) return;
  const unique = [...new Map(files.map((f) => [f.path, f])).values()];
  await deps.slack.uploadFiles(
    `${key}:files`,
    { channel: workflow.channel_id, threadTs: workflow.root_ts },
    unique.map((f) => ({ filename: posix.basename(f.path), title: f.path, content: f.content })),
  );
  for (const file of unique) {
    const record = await reserveMessage(deps.pool, storedKey(workflow, file.path), workflow.channel_id);
    if (!record.ts) await completeMessage(deps.pool, record.key, `${key}:files`);
  }
}

/** The files stored for the workflow (validation records among them) that no upload has attached yet. */
export async function unattachedStoredFiles(deps: EngineDeps, workflow: Workflow): Promise<File[]> {
  const stored = await listArtifacts(deps.pool, workflow.id);
  const out: File[] = [];
  for (const file of stored) if (!(await findMessage(deps.pool, storedKey(workflow, file.path)))?.ts) out.push(file);
  return out;
}

/** Attaches, in one upload, the files stored for the workflow that are not attached yet. */
export async function attachStoredFiles(deps: EngineDeps, workflow: Workflow, key: string): Promise<void> {
  await attachArtifacts(deps, workflow, key, await unattachedStoredFiles(deps, workflow));
}
