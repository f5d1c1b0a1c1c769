import { chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../logger';
import { runTool } from './pg-tools';

/**
 * A full `pg_dump -Fc` of the target into `dir/backup-<timestamp>.dump` (mode 0600, in a 0700 folder),
 * written under a `.partial` name first so a stopped dump never looks like a backup.
 */
export async function backupTarget(
  targetUrl: string,
  dir: string,
  options: { timeoutMs: number; now: () => Date; logger: Logger },
): Promise<string> {
  const action = 'Backing up the target';
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const path = join(dir, `backup-${options.now().toISOString().replace(/[-:.]/g, '')}.dump`);
  const partial = `${path}.partial`;
  try {
    await writeFile(partial, '', { mode: 0o600 });
    await runTool({
      command: 'pg_dump',
      args: ['--format=custom', '--no-password', '--file', partial],
      url: targetUrl,
      timeoutMs: options.timeoutMs,
      action,
    });
    await chmod(partial, 0o600);
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  options.logger.info({ path, bytes: (await stat(path)).size }, 'target backed up');
  return path;
}
