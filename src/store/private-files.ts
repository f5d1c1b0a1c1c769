import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';

/**
 * Makes `dir` (default `root`) and every folder between it and the workspace `root` private to the
 * bot's user (0700), also when they already existed with wider modes.
 */
export async function ensurePrivateDir(root: string, dir: string = root): Promise<void> {
  const top = resolve(root);
  let current = resolve(dir);
  await mkdir(current, { recursive: true, mode: 0o700 });
  for (;;) {
    await chmod(current, 0o700);
    if (current === top || !current.startsWith(top + sep)) return;
    current = dirname(current);
  }
}

/**
 * Writes a file of the workspace (a validation record, a report) readable by the bot's user only
 * (0600), in private folders: they hold SQL and schema details of production.
 */
export async function writePrivateFile(root: string, path: string, content: string | Buffer): Promise<void> {
  await ensurePrivateDir(root, dirname(path));
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600);
}
