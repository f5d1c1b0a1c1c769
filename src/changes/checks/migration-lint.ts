import { spawn } from 'node:child_process';
import { devNull, tmpdir } from 'node:os';
import { z } from 'zod';
import { toolEnvironment } from '../../config/tool-environment';
import { ActionFailedError } from '../../domain/errors';
import type { Check } from '../../domain/records';
import { executable, findSquawkBinary } from './squawk-binary';

const ACTION = 'Migration lint (squawk)';

/**
 * Rules left out unless the caller says otherwise. The engine sets `lock_timeout` and
 * `statement_timeout` itself when it applies a migration, so squawk's demand that the SQL set them
 * (`require-lock-timeout`, `require-statement-timeout`; `require-timeout-settings` is their umbrella
 * name in squawk 2.66) would flag every migration for nothing.
 */
export const DEFAULT_EXCLUDED_RULES: readonly string[] = ['require-lock-timeout', 'require-statement-timeout'];

/** One finding of squawk; `line` and `column` are 1-based. */
export interface LintViolation {
  rule: string;
  level: 'error' | 'warning';
  message: string;
  line?: number;
  column?: number;
  help?: string;
}

/** What squawk found in one migration. */
export interface LintResult {
  violations: LintViolation[];
}

export interface LintOptions {
  /** Path of the squawk executable; by default squawk-cli's binary for this platform (see {@link findSquawkBinary}). */
  binary?: string;
  /** Time allowed to squawk before it is killed (default 10 s). */
  timeoutMs?: number;
  /** Rules not to report (default {@link DEFAULT_EXCLUDED_RULES}); names squawk does not know are an error. */
  excludeRules?: readonly string[];
  /**
   * Lint as if a migration tool wraps the file in one transaction (default true: Supabase applies each
   * migration in a transaction, so `prefer-robust-stmts` does not apply and nested BEGIN/COMMIT is flagged).
   */
  assumeInTransaction?: boolean;
  /** Postgres version the rules should assume, e.g. `15.0`. */
  pgVersion?: string;
}

/** squawk's `--reporter json`: an array of violations with 0-based positions (squawk 2.66). */
const squawkOutputSchema = z.array(
  z.object({
    rule_name: z.string(),
    level: z.string(),
    message: z.string(),
    help: z.string().nullish(),
    line: z.number().int().nonnegative().optional(),
    column: z.number().int().nonnegative().optional(),
  }),
);

/**
 * Lints one migration with squawk, reading the SQL from stdin. squawk exits 1 when it finds
 * violations, which is a result, not a failure; a missing binary, a refused option or output that is
 * not squawk's JSON raise {@link ActionFailedError}. Any `.squawk.toml` around the process is ignored,
 * so the result depends on the SQL and the options only.
 */
export async function lintMigration(sql: string, opts: LintOptions = {}): Promise<LintResult> {
  const found = opts.binary === undefined ? findSquawkBinary() : executable(opts.binary);
  if (!found.ok) throw new SquawkUnavailableError(found.reason);
  const binary = found.path;
  const excluded = opts.excludeRules ?? DEFAULT_EXCLUDED_RULES;
  const args = ['--reporter', 'json', '--config', devNull, '--stdin-filepath', 'migration.sql'];
  if (excluded.length) args.push(`--exclude=${excluded.join(',')}`);
  args.push(opts.assumeInTransaction === false ? '--no-assume-in-transaction' : '--assume-in-transaction');
  if (opts.pgVersion) args.push(`--pg-version=${opts.pgVersion}`);

  const run = await runProcess(binary, args, sql, opts.timeoutMs ?? 10_000);
  // 126 and 127 are the shell's "cannot execute" and "not found": the system fell back to sh for a file it
  // could not run itself (a binary for another architecture), which is not squawk answering.
  if (run.code === 126 || run.code === 127) {
    throw new SquawkUnavailableError(
      `cannot run ${binary} (${run.stderr.trim().split('\n')[0] || `exit code ${run.code}`})`,
    );
  }
  if (run.code !== 0 && run.code !== 1) {
    const reason = run.stderr.trim() || `exit code ${run.code}`;
    throw new ActionFailedError(
      ACTION,
      `squawk refused to run (${reason}). Check the excluded rule names and the pg version against \`squawk --help\`.`,
      false,
    );
  }
  const parsed = parseOutput(run.stdout);
  const skip = new Set(excluded);
  return {
    violations: parsed
      .filter((v) => !skip.has(v.rule_name))
      .map(
        (v): LintViolation => ({
          rule: v.rule_name,
          level: v.level.toLowerCase() === 'error' ? 'error' : 'warning',
          message: v.message,
          ...(v.line !== undefined ? { line: v.line + 1 } : {}),
          ...(v.column !== undefined ? { column: v.column + 1 } : {}),
          ...(v.help ? { help: v.help } : {}),
        }),
      ),
  };
}

/**
 * No squawk this machine can run (none for its platform, not installed, not executable). The lint is
 * then a warning at the gate, never a failure of the workflow: see {@link lintMigrationChecks}.
 */
export class SquawkUnavailableError extends ActionFailedError {
  constructor(readonly reason: string) {
    super(
      ACTION,
      `${reason}. Install squawk-cli with its optional dependencies (\`npm ci --include=optional\`) ` +
        `or point the lint at a squawk executable.`,
      false,
    );
  }
}

/**
 * The lint for a gate: {@link lintChecks} of squawk's findings and the findings themselves, or one
 * warning saying why the lint did not run (and no findings) when no squawk binary can run here. Other
 * errors (a refused option, output that is not squawk's) are thrown: they are the bot's to fix.
 */
export async function lintForGate(
  sql: string,
  opts: LintOptions = {},
): Promise<{ checks: Check[]; violations?: LintViolation[] }> {
  try {
    const result = await lintMigration(sql, opts);
    return { checks: lintChecks(result), violations: result.violations };
  } catch (error) {
    if (!(error instanceof SquawkUnavailableError)) throw error;
    return {
      checks: [
        {
          name: 'Lint (squawk): not run',
          status: 'warn',
          detail: `${error.reason}; the migration was not linted — read it yourself before approving`,
        },
      ],
    };
  }
}

/**
 * One check per rule violated: `fail` when any of its findings is an error (squawk reports syntax
 * errors as errors, every rule as a warning), `warn` otherwise; a single pass when nothing was found.
 */
export function lintChecks(result: LintResult): Check[] {
  if (!result.violations.length) return [{ name: 'Lint (squawk): no findings', status: 'pass' }];
  const byRule = new Map<string, LintViolation[]>();
  for (const v of result.violations) byRule.set(v.rule, [...(byRule.get(v.rule) ?? []), v]);
  return [...byRule].map(([rule, found]) => {
    const first = found[0]!;
    const lines = found.map((v) => v.line).filter((l): l is number => l !== undefined);
    const where = lines.length ? ` (line${lines.length > 1 ? 's' : ''} ${[...new Set(lines)].join(', ')})` : '';
    const advice = rule === 'syntax-error' ? 'the SQL does not parse; fix it before it is applied' : first.help;
    return {
      name: `Lint (squawk): ${rule}`,
      status: found.some((v) => v.level === 'error') ? 'fail' : 'warn',
      detail: `${first.message}${where}${advice ? ` — ${advice}` : ''}`,
    };
  });
}

function parseOutput(stdout: string): z.infer<typeof squawkOutputSchema> {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new ActionFailedError(
      ACTION,
      `squawk printed something that is not JSON (${excerpt(stdout)}). Check that the binary is squawk 2.x and ` +
        `supports \`--reporter json\`.`,
      false,
    );
  }
  const parsed = squawkOutputSchema.safeParse(json);
  if (!parsed.success) {
    throw new ActionFailedError(
      ACTION,
      `squawk's JSON has an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'}). Pin squawk-cli ` +
        `to a 2.x version this bot knows (2.66).`,
      false,
    );
  }
  return parsed.data;
}

function excerpt(text: string): string {
  const t = text.trim();
  return t ? `"${t.slice(0, 120)}${t.length > 120 ? '…' : ''}"` : 'nothing';
}

interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runProcess(binary: string, args: string[], input: string, timeoutMs: number): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const env = { ...toolEnvironment(), SQUAWK_DISABLE_GITHUB_ANNOTATIONS: '1', NO_COLOR: '1' };
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], env, cwd: tmpdir() });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new ActionFailedError(
          ACTION,
          `squawk did not answer within ${timeoutMs} ms. Try again; if it keeps happening, lint a smaller migration.`,
          true,
        ),
      );
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // The file was there and executable a moment ago, but the system cannot run it (wrong architecture, no loader).
      reject(new SquawkUnavailableError(`cannot run ${binary} (${error.code ?? error.message})`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined); // EPIPE when the binary exits early; `close` reports it
    child.stdin.end(input);
  });
}
