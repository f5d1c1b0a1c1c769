import { spawn } from 'node:child_process';
import { toolEnvironment } from '../../config/tool-environment';
import { ActionFailedError } from '../../domain/errors';
import { scrubUrl } from '../../logger';

/** Connection URL query parameters that libpq tools read from the environment instead. */
const PARAM_ENV: Record<string, string> = {
  host: 'PGHOST',
  port: 'PGPORT',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  dbname: 'PGDATABASE',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  sslcrl: 'PGSSLCRL',
  channel_binding: 'PGCHANNELBINDING',
  gssencmode: 'PGGSSENCMODE',
  application_name: 'PGAPPNAME',
  options: 'PGOPTIONS',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
  passfile: 'PGPASSFILE',
};

/** Parses a `postgres://` URL, or says how to fix it (without echoing its password). */
export function parsePgUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ActionFailedError(
      'Reading the database URL',
      `${scrubUrl(url)} is not a URL; use postgres://user:password@host:5432/database.`,
      false,
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ActionFailedError(
      'Reading the database URL',
      `${scrubUrl(url)} is not a postgres:// URL; use postgres://user:password@host:5432/database.`,
      false,
    );
  }
  return parsed;
}

/** The database name of a `postgres://` URL. */
export function databaseOf(url: string): string {
  return decodeURIComponent(parsePgUrl(url).pathname.replace(/^\//, ''));
}

/** The same server and credentials as `url`, with another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = parsePgUrl(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The same server and credentials as `url`, with `options` added to what the URL already passes. */
export function withOptions(url: string, options: string): string {
  const parsed = parsePgUrl(url);
  const existing = parsed.searchParams.get('options');
  parsed.searchParams.set('options', existing ? `${existing} ${options}` : options);
  return parsed.toString();
}

/**
 * `url` with every transaction read-only by default (`-c default_transaction_read_only=on` in the
 * startup options), for the connections to production that only read: the schema copy, the
 * pre-flight reads and the start-up check. `pg` and the libpq tools (PGOPTIONS) both honour it.
 */
export function readOnlyUrl(url: string): string {
  return withOptions(url, '-c default_transaction_read_only=on');
}

/** The same server and credentials as `url`, announcing itself as `name` (pg_stat_activity.application_name). */
export function withApplicationName(url: string, name: string): string {
  const parsed = parsePgUrl(url);
  parsed.searchParams.set('application_name', name);
  return parsed.toString();
}

/**
 * Environment for libpq tools (pg_dump, psql) connecting to `url`, so the URL and its password never
 * appear on a command line. Inherited PG* variables fill what the URL leaves out, as they do for `pg`; nothing
 * else of the bot's environment is passed (see toolEnvironment).
 */
export function pgEnv(url: string, base: NodeJS.ProcessEnv = toolEnvironment()): NodeJS.ProcessEnv {
  const parsed = parsePgUrl(url);
  const env: NodeJS.ProcessEnv = { ...base };
  const set = (key: string, value: string): void => {
    if (value !== '') env[key] = value;
  };
  set('PGHOST', decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1'));
  set('PGPORT', parsed.port);
  set('PGUSER', decodeURIComponent(parsed.username));
  set('PGPASSWORD', decodeURIComponent(parsed.password));
  set('PGDATABASE', decodeURIComponent(parsed.pathname.replace(/^\//, '')));
  for (const [key, value] of parsed.searchParams) {
    const name = PARAM_ENV[key];
    if (name) set(name, value);
  }
  return env;
}

/** What a finished tool printed. */
export interface ToolOutput {
  stdout: Buffer;
  stderr: string;
}

/** How to run one client tool. */
export interface ToolRun {
  /** Executable on the PATH, e.g. `pg_dump`. */
  command: string;
  args: string[];
  /** The database the tool connects to; passed through the environment. */
  url: string;
  /** Written to the tool's stdin, which is then closed. */
  input?: Buffer | string;
  /** The tool is killed after this long. */
  timeoutMs: number;
  /** Names the work in errors, e.g. "Creating branch infra-wf-12". */
  action: string;
}

const STDERR_LIMIT = 2000;

/** Runs a PostgreSQL client tool; resolves with its output on exit code 0, else an ActionFailedError. */
export function runTool(run: ToolRun): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.command, run.args, { env: pgEnv(run.url), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, run.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_LIMIT);
    });
    child.stdin.on('error', () => undefined); // the tool may exit before reading all input; its exit code tells why
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const advice =
        error.code === 'ENOENT'
          ? `${run.command} is not on the PATH: install the PostgreSQL client tools (the server's major version or newer).`
          : `could not start ${run.command} (${error.message}).`;
      reject(new ActionFailedError(run.action, advice, false));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const said = scrubUrl(stderr.trim());
      if (timedOut) {
        reject(
          new ActionFailedError(
            run.action,
            `${run.command} took longer than ${run.timeoutMs} ms and was stopped; try again when the database is less busy.`,
            true,
          ),
        );
      } else if (code !== 0) {
        const why = said || `exit ${code ?? signal}`;
        reject(
          new ActionFailedError(
            run.action,
            `${run.command} failed: ${why}. Check that the server is reachable and the user may read every object, then try again.`,
            false,
          ),
        );
      } else {
        resolve({ stdout: Buffer.concat(out), stderr: said });
      }
    });
    child.stdin.end(run.input ?? '');
  });
}
