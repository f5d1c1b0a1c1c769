import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Harness } from './harness';

/** A configuration (a harness's, say) as the environment of a bot process of its own, with `extra`. */
export function envOf(config: Record<string, unknown>, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  for (const [key, value] of Object.entries(config))
    if (value !== undefined) env[key] = Array.isArray(value) ? value.join(',') : String(value);
  return { ...env, ...extra };
}

/**
 * Starts the worker role in a child process (tests/support/worker-process.ts) with the harness's
 * settings, plus `env` (by default a 2 s job lock and a 1 s stalled check, so a killed worker's job is
 * taken over quickly); resolves once it takes jobs. It runs under ts-node unless INFRA_WORKER_ENTRY names a
 * compiled worker script.
 */
export async function spawnWorker(h: Harness, env: Record<string, string> = {}): Promise<ChildProcess> {
  const childEnv = envOf(h.config, { INFRA_JOB_LOCK_MS: '2000', INFRA_STALLED_INTERVAL_MS: '1000', ...env });
  // INFRA_WORKER_ENTRY: a compiled worker (bench/chaos.ts builds one), so a restart is not ts-node's start-up.
  const entry = process.env.INFRA_WORKER_ENTRY;
  const args = entry ? [entry] : ['-r', 'ts-node/register/transpile-only', join(__dirname, 'worker-process.ts')];
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return child;
}

/** Kills a worker child with SIGKILL, as a crash would, and waits until it is gone. */
export async function killWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}
