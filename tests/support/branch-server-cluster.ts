import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The role the branch cluster gives the bot: CREATEDB and CREATEROLE, no superuser. */
export const BRANCH_ADMIN_ROLE = 'infra_branch_admin';

/** A running test cluster: where it lives, how to stop it, and the admin's URL. */
export interface BranchCluster extends TestCluster {
  url: string;
}

/** The newest PostgreSQL server binaries on the machine (Debian's layout, else the PATH). */
function serverBin(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const found = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (found.status === 0) return found.stdout.trim();
  throw new Error(
    'No PostgreSQL server binaries found (initdb): install postgresql (e.g. apt-get install postgresql).',
  );
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Runs a server binary as the `postgres` OS user when we are root (initdb refuses root), else as ourselves. */
function runAsPostgres(bin: string, command: string, args: string[], cwd: string): void {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]]
    : [join(bin, command), args];
  const run = spawnSync(file, argv, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`${command} failed (${run.status ?? run.signal}): ${run.stderr || run.stdout}`);
}

/** How a test cluster lets clients in over TCP: `trust`, or a password (`scram-sha-256`). */
export interface TestClusterOptions {
  hostAuth: 'trust' | 'scram-sha-256';
}

/** A test cluster without roles of its own yet: its folder, port and binaries, and its superuser over the socket. */
export interface TestCluster {
  dir: string;
  port: number;
  bin: string;
  /** The `postgres` superuser over the cluster's Unix socket (trusted locally). */
  superuserUrl: string;
}

/**
 * Starts a PostgreSQL cluster of the tests' own on a free port in a temporary folder (0700, owned by
 * the postgres OS user when we are root), listening on 127.0.0.1 and on a socket in that folder.
 */
export async function startTestCluster(opts: TestClusterOptions): Promise<TestCluster> {
  const bin = serverBin();
  const dir = mkdtempSync(join(tmpdir(), 'infra-test-cluster-'));
  chmodSync(dir, 0o700);
  if (process.getuid?.() === 0) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  }
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    runAsPostgres(
      bin,
      'initdb',
      [
        '-D',
        data,
        '-U',
        'postgres',
        '--auth-local=trust',
        `--auth-host=${opts.hostAuth}`,
        '--encoding=UTF8',
        '--locale=C.UTF-8',
        '--no-sync',
      ],
      dir,
    );
    startServer({ dir, port, bin });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    port,
    bin,
    superuserUrl: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(dir)}&port=${port}`,
  };
}

/**
 * Starts a second PostgreSQL cluster to play the branch server: host connections need a password
 * (scram-sha-256), so the per-branch logins are really used, and the bot's login there has CREATEDB
 * and CREATEROLE only.
 */
export async function startBranchCluster(): Promise<BranchCluster> {
  const cluster = await startTestCluster({ hostAuth: 'scram-sha-256' });
  const password = randomBytes(12).toString('hex');
  runAsPostgres(
    cluster.bin,
    'psql',
    [
      '-h',
      cluster.dir,
      '-p',
      String(cluster.port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-qc',
      `CREATE ROLE ${BRANCH_ADMIN_ROLE} LOGIN CREATEDB CREATEROLE PASSWORD '${password}'`,
    ],
    cluster.dir,
  );
  return { ...cluster, url: `postgres://${BRANCH_ADMIN_ROLE}:${password}@127.0.0.1:${cluster.port}/postgres` };
}

/** Starts the server of a test cluster (again), on its port and socket folder; returns once it takes connections. */
export function startServer(cluster: Pick<TestCluster, 'dir' | 'port' | 'bin'>): void {
  const { dir, port, bin } = cluster;
  const options =
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c ` +
    'full_page_writes=off -c max_connections=200';
  runAsPostgres(
    bin,
    'pg_ctl',
    ['-D', join(dir, 'data'), '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start'],
    dir,
  );
}

/**
 * Stops the server of a test cluster and keeps its files, as an outage would: `fast` ends every
 * session with 57P01 (admin shutdown), `immediate` as a crash would.
 */
export function stopServer(cluster: Pick<TestCluster, 'dir' | 'bin'>, mode: 'fast' | 'immediate' = 'fast'): void {
  runAsPostgres(cluster.bin, 'pg_ctl', ['-D', join(cluster.dir, 'data'), '-m', mode, '-w', 'stop'], cluster.dir);
}

/** Stops the cluster and removes its folder. */
export function stopTestCluster(cluster: Pick<BranchCluster, 'dir' | 'bin'>): void {
  try {
    runAsPostgres(
      cluster.bin,
      'pg_ctl',
      ['-D', join(cluster.dir, 'data'), '-m', 'immediate', '-w', 'stop'],
      cluster.dir,
    );
  } finally {
    rmSync(cluster.dir, { recursive: true, force: true });
  }
}
