import { join } from 'node:path';
import { Pool } from 'pg';
import type { Migration } from '../../domain/handoff';
import type { Check } from '../../domain/records';
import { saveArtifact } from '../../store/artifacts-repo';
import { listEvents, recordEvent } from '../../store/events';
import { writePrivateFile } from '../../store/private-files';
import type { Compensator, StepAction, StepActionContext } from '../../engine/ports/step-actions';
import type { Branch } from '../targets/branch-provider';
import type { ChangeTarget } from '../targets/change-target';
import { migrationHash } from '../sql/migration-hash';
import { lintChecks, lintMigration } from '../checks/migration-lint';
import { auditBaseline, auditRls, rlsChecks } from '../checks/rls-audit';
import { checkReadOnlyQuery } from '../checks/read-only-query';
import { type RoundTripResult, checks as roundTripChecks, runRoundTrip } from '../checks/round-trip';
import { loadSqlParser } from '../sql/sql-parser';
import { touchedTables } from '../sql/sql-policy';
import { ActionFailedError } from '../../domain/errors';

const NO_TARGET: Check = {
  name: 'Branch test',
  status: 'warn',
  detail: 'not run: no database is configured to branch from (set TARGET_DATABASE_URL)',
};

/** What the actions need: the target (absent when none is configured) and the bot's own database for events. */
export interface ChangeActionDeps {
  target?: ChangeTarget;
  pool: Pool;
  /** Where `validations/migration-test-<date>-wf<id>.md` is written. */
  workspaceDir: string;
}

/** Creates the workflow's branch once, registering its deletion first. */
export async function ensureBranch(
  deps: ChangeActionDeps & { target: ChangeTarget },
  ctx: StepActionContext,
): Promise<Branch> {
  const existing = await deps.target.provider.getBranch(ctx.workflow.id);
  if (existing) return existing;
  await ctx.compensate({ key: 'branch', kind: 'delete-branch', data: { workflowId: ctx.workflow.id } });
  const branch = await deps.target.provider.createBranch(ctx.workflow.id);
  await recordEvent(deps.pool, ctx.workflow.id, 'branch_created', null, {
    branch: branch.name,
    provider: deps.target.provider.kind,
  });
  await recordBaseline(deps, ctx, branch);
  return branch;
}

/**
 * The RLS findings of the fresh branch, before any migration: production's own, so the audit shows
 * them apart ("already on production") instead of failing the gate. Without a direct connection to
 * the branch there is no baseline, and every finding counts as the change's.
 */
async function recordBaseline(deps: ChangeActionDeps, ctx: StepActionContext, branch: Branch): Promise<void> {
  if (!branch.databaseUrl) return;
  const pool = new Pool({ connectionString: branch.databaseUrl, max: 1, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  try {
    await recordEvent(deps.pool, ctx.workflow.id, 'rls_baseline', null, {
      branch: branch.name,
      findings: await auditBaseline(pool),
    });
  } catch (error) {
    ctx.logger.warn(
      { err: (error as Error).message, branch: branch.name },
      'RLS baseline not taken; every finding will count as the change',
    );
  } finally {
    await pool.end();
  }
}

/** The baseline recorded when the workflow's branch was made, if any. */
async function baselineOf(deps: ChangeActionDeps, workflowId: number): Promise<string[] | undefined> {
  const event = (await listEvents(deps.pool, workflowId)).filter((e) => e.type === 'rls_baseline').pop();
  return Array.isArray(event?.data.findings) ? event.data.findings.map(String) : undefined;
}

/** Lint, then apply → roll back → compare → re-apply on the branch. A migration that fails stops the workflow. */
async function tryMigration(
  deps: ChangeActionDeps & { target: ChangeTarget },
  ctx: StepActionContext,
  branch: Branch,
  migration: Migration,
): Promise<{ checks: Check[]; summary: string }> {
  const lint = lintChecks(await lintMigration(migration.up_sql));
  const result = await runRoundTrip(deps.target.provider, branch, migration);
  const report = await writeValidation(deps, ctx.workflow.id, branch, migration, result, lint);
  // The hash pins the tested text: finish-workflow merges a migration only when it matches a pass of this step.
  await recordEvent(deps.pool, ctx.workflow.id, result.ok ? 'migration_tested' : 'migration_test_failed', null, {
    name: migration.name,
    step_id: ctx.step.id,
    sha256: migrationHash(migration),
    stages: result.stages,
    report,
  });
  if (!result.ok) {
    const failed = result.stages.find((s) => !s.ok);
    throw new ActionFailedError(
      'Branch test',
      `migration ${migration.name} failed at "${failed?.name}" on branch ${branch.name}: ` +
        (failed?.error ?? 'schema mismatch') +
        (result.residue.length ? ` (down left: ${result.residue.slice(0, 5).join('; ')})` : '') +
        '. Nothing was merged',
      false,
    );
  }
  const diff: Check = {
    name: 'Schema diff',
    status: 'pass',
    detail:
      result.diff.slice(0, 12).join('; ') + (result.diff.length > 12 ? `; … ${result.diff.length - 12} more` : ''),
  };
  const ms = (name: string) => result.stages.find((s) => s.name === name)?.ms ?? 0;
  return {
    checks: [...lint, ...roundTripChecks(result), diff, { name: 'Validation record', status: 'pass', detail: report }],
    summary:
      `${migration.name} tried on branch ${branch.name}: up ${ms('up')} ms, down ${ms('down')} ms, up ` +
      `again ${ms('up-again')} ms; ${result.diff.length} schema change(s).`,
  };
}

/** The seed's `validations/migration-test-{date}.md`: what was tried on the branch and how it went. */
async function writeValidation(
  deps: ChangeActionDeps,
  workflowId: number,
  branch: Branch,
  migration: Migration,
  result: RoundTripResult,
  lint: Check[],
): Promise<string> {
  const date = new Date().toISOString().slice(0, 10);
  const relative = `validations/migration-test-${date}-wf${workflowId}.md`;
  const path = join(deps.workspaceDir, relative);
  const lines = [
    `# Migration test: ${migration.name} (workflow #${workflowId})`,
    '',
    `Branch: ${branch.name} · ${new Date().toISOString()} · result: ${result.ok ? 'passed' : 'FAILED'}`,
    '',
    '## Stages',
    ...result.stages.map((s) => `- ${s.ok ? 'ok' : 'FAILED'} ${s.name} (${s.ms} ms)${s.error ? `: ${s.error}` : ''}`),
    '',
    '## Schema diff',
    ...(result.diff.length ? result.diff.map((d) => `- ${d}`) : ['- none']),
    ...(result.residue.length ? ['', '## Left behind by down', ...result.residue.map((d) => `- ${d}`)] : []),
    '',
    '## Lint',
    ...lint.map((c) => `- ${c.status}: ${c.name}${c.detail ? ` — ${c.detail}` : ''}`),
    '',
    '## up_sql',
    '```sql',
    migration.up_sql,
    '```',
    '',
    '## down_sql',
    '```sql',
    migration.down_sql,
    '```',
    '',
  ];
  await writePrivateFile(deps.workspaceDir, path, lines.join('\n'));
  await saveArtifact(deps.pool, { workflowId, path: relative, kind: 'markdown', content: lines.join('\n') });
  return path;
}

/** The Migration gate's deterministic test, on the data-migration-specialist's migration. */
export function branchTestAction(deps: ChangeActionDeps): StepAction {
  return {
    name: 'branch-test',
    async run(ctx) {
      const migration = ctx.handoff?.migration;
      if (!migration) return {};
      if (!deps.target) return { checks: [NO_TARGET] };
      const branch = await ensureBranch({ ...deps, target: deps.target }, ctx);
      return tryMigration({ ...deps, target: deps.target }, ctx, branch, migration);
    },
  };
}

/** The Security gate: the backend's SQL tried on the branch too, then the RLS audit with role probes. */
export function rlsAuditAction(deps: ChangeActionDeps): StepAction {
  return {
    name: 'rls-audit',
    async run(ctx) {
      if (!deps.target) return { checks: [{ ...NO_TARGET, name: 'RLS audit' }] };
      const target = { ...deps, target: deps.target };
      const migrations = [...ctx.earlierHandoffs, ...(ctx.handoff ? [ctx.handoff] : [])].flatMap((h) =>
        h.migration ? [h.migration] : [],
      );
      if (!migrations.length)
        return {
          checks: [
            { name: 'RLS audit', status: 'pass', detail: 'no SQL was proposed, so nothing changed on the database' },
          ],
        };
      const branch = await ensureBranch(target, ctx);
      const out: Check[] = [];
      const summaries: string[] = [];
      if (ctx.handoff?.migration) {
        const tried = await tryMigration(target, ctx, branch, ctx.handoff.migration);
        out.push(...tried.checks.filter((c) => c.status !== 'pass' || c.name === 'Schema diff'));
        summaries.push(tried.summary);
      }
      if (deps.target.advisorChecks) out.push(...(await deps.target.advisorChecks(ctx.workflow.id)));
      if (!branch.databaseUrl) {
        out.push({
          name: 'RLS probes',
          status: 'warn',
          detail: 'not run: the branch has no direct database connection; see the Supabase security advisors',
        });
        return { checks: out, summary: summaries.join(' ') };
      }
      await loadSqlParser();
      const tables = [...new Set(migrations.flatMap((m) => touchedTables(m.up_sql)))];
      const pool = new Pool({ connectionString: branch.databaseUrl, max: 1, connectionTimeoutMillis: 10_000 });
      pool.on('error', () => undefined);
      try {
        const audit = await auditRls(pool, { tables, baseline: await baselineOf(deps, ctx.workflow.id) });
        out.push(...rlsChecks(audit));
        summaries.push(
          `RLS audit of ${tables.length} table(s) on ${branch.name}: ${audit.findings.length} finding(s).`,
        );
      } catch (error) {
        // A Supabase branch's direct connection may be unreachable from the bot (IPv6 only, network
        // restrictions): its advisors above still audit it, so the gate shows why the probes are missing.
        if (!deps.target.advisorChecks) throw error;
        const cause =
          /(connect \w+ [^\s.]+|getaddrinfo \w+ \S+|timeout[^.]*)/i.exec((error as Error).message)?.[1] ??
          (error as Error).message.slice(0, 200);
        out.push({
          name: 'RLS probes',
          status: 'warn',
          detail:
            `not run: could not connect to the branch database directly (${cause}); Supabase's advisors ` +
            `above audit the branch instead`,
        });
      } finally {
        await pool.end();
      }
      return { checks: out, summary: summaries.join(' ') };
    },
  };
}

/** The Smoke Test gate: the agents' read-only smoke queries, run on the branch. */
export function smokeTestAction(deps: ChangeActionDeps): StepAction {
  return {
    name: 'smoke-test',
    async run(ctx) {
      const handoffs = [...ctx.earlierHandoffs, ...(ctx.handoff ? [ctx.handoff] : [])];
      const tests = handoffs.flatMap((h) => h.smoke_tests ?? []);
      const calls = deps.target?.functions ? handoffs.flatMap((h) => h.function_checks ?? []) : [];
      if (!tests.length && !calls.length)
        return { checks: [{ name: 'Smoke tests', status: 'warn', detail: 'the agents proposed no smoke tests' }] };
      await loadSqlParser();
      if (!deps.target) return { checks: [{ ...NO_TARGET, name: 'Smoke tests' }] };
      const branch = await deps.target.provider.getBranch(ctx.workflow.id);
      if (!branch)
        return {
          checks: [
            { name: 'Smoke tests', status: 'warn', detail: 'not run: this workflow changed nothing on a branch' },
          ],
        };
      const checks: Check[] = [{ name: 'Backup point', status: 'pass', detail: await deps.target.backupPlan() }];
      for (const call of calls) {
        const answer = await deps.target.functions!.invokeOnBranch(ctx.workflow.id, call.function, call.body ?? {});
        checks.push({
          name: `Smoke: ${call.name}`,
          status: answer.ok ? 'pass' : 'fail',
          detail:
            `${call.function} → ${answer.status === undefined ? 'no answer' : `HTTP ${answer.status}`}: ${answer.detail}`.slice(
              0,
              300,
            ),
        });
      }
      for (const test of tests) {
        const verdict = checkReadOnlyQuery(test.sql);
        if (!verdict.ok) {
          checks.push({
            name: `Smoke: ${test.name}`,
            status: 'fail',
            detail: `not run: ${verdict.reason}`.slice(0, 300),
          });
          continue;
        }
        try {
          const result = await deps.target.provider.runSql(branch, test.sql, {
            readOnly: true,
            timeoutMs: 10_000,
            rowLimit: 100,
          });
          checks.push({ name: `Smoke: ${test.name}`, status: 'pass', detail: `${result.rowCount} row(s)` });
        } catch (error) {
          checks.push({ name: `Smoke: ${test.name}`, status: 'fail', detail: (error as Error).message.slice(0, 300) });
        }
      }
      const smoke = checks.filter((c) => c.name.startsWith('Smoke: '));
      const failed = smoke.filter((c) => c.status === 'fail').length;
      return { checks, summary: `${smoke.length - failed} of ${smoke.length} smoke test(s) passed on ${branch.name}.` };
    },
  };
}

/** Rollback and clean-up: the branch goes. */
export function deleteBranchCompensator(deps: ChangeActionDeps): Compensator {
  return {
    kind: 'delete-branch',
    async run(data, ctx) {
      if (!deps.target) return;
      await deps.target.provider.deleteBranch(Number(data.workflowId));
      await recordEvent(deps.pool, ctx.workflow.id, 'branch_deleted', null, { reason: 'rollback' });
    },
  };
}

/** Rollback after a merge: the down migration runs on production, in a transaction. */
export function revertMigrationCompensator(deps: ChangeActionDeps): Compensator {
  return {
    kind: 'revert-migration',
    async run(data, ctx) {
      if (!deps.target) throw new Error('no target is configured, so the merged migration cannot be reverted here');
      const migration = data.migration as Migration;
      await deps.target.revert(ctx.workflow.id, migration);
      await recordEvent(deps.pool, ctx.workflow.id, 'migration_reverted', null, { name: migration.name });
    },
  };
}
