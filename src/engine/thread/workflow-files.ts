import { join, normalize, posix } from 'node:path';
import type { Artifact } from '../../domain/handoff';
import { listArtifacts, saveArtifact } from '../../store/artifacts-repo';
import type { Workflow } from '../../domain/records';
import type { EngineDeps } from '../deps';
import { writePrivateFile } from '../../store/private-files';

/**
 * Keeps a file the bot made for a workflow (plan, report): stored in Postgres with the workflow,
 * written under the workspace directory at `path` (0600, in 0700 folders), and attached to the thread once. Safe to repeat.
 */
export async function storeWorkflowFile(
  deps: EngineDeps,
  workflow: Workflow,
  file: Pick<Artifact, 'path' | 'kind' | 'content'>,
): Promise<void> {
  await saveArtifact(deps.pool, { workflowId: workflow.id, ...file });
  const absolute = join(deps.workspaceDir, normalize(file.path));
  await writePrivateFile(deps.workspaceDir, absolute, file.content);
  await attachArtifacts(deps, workflow, `wf:${workflow.id}:file`, [file]);
}

/** Attaches files to the workflow's thread (files.uploadV2), each once per key and path. */
export async function attachArtifacts(
  deps: EngineDeps,
  workflow: Workflow,
  keyPrefix: string,
  files: Array<Pick<Artifact, 'path' | 'content'>>,
): Promise<void> {
  if (!workflow.root_ts) return;
  for (const file of files) {
    await deps.slack.uploadFile(
      `${keyPrefix}:${file.path}`,
      { channel: workflow.channel_id, threadTs: workflow.root_ts },
      { filename: posix.basename(file.path), title: file.path, content: file.content },
    );
  }
}

/** Attaches the files stored for the workflow (validation records among them) that are not attached yet. */
export async function attachStoredFiles(deps: EngineDeps, workflow: Workflow): Promise<void> {
  await attachArtifacts(deps, workflow, `wf:${workflow.id}:file`, await listArtifacts(deps.pool, workflow.id));
}
