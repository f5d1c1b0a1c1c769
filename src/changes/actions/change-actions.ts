/** The change pipeline's step actions (branch test, RLS audit, smoke test) and its rollback compensators. */
import { Pool } from 'pg';
import type { Check } from '../../domain/records';
import { recordEvent } from '../../store/events';
import type { Compensator, StepAction } from '../../engine/ports/step-actions';
import { auditRls, rlsChecks } from '../checks/rls-audit';
import { checkReadOnlyQuery } from '../checks/read-only-query';
import { lintForGate } from '../checks/migration-lint';
import { migrationReview } from '../checks/migration-review';
import { loadSqlParser } from '../sql/sql-parser';
import { touchedTables } from '../sql/sql-policy';
import type { ChangeActionDeps } from './change-action-deps';
import { tryMigration } from './migration-branch-test';
import { baselineOf, ensureBranch } from './workflow-branch';

const NO_TARGET: Check = {
  name: 'Branch test',
  status: 'warn',
  detail: 'not run: no database is configured to branch from (set TARGET_DATABASE_URL)',
  flags: ['not_done'],
};

/** The Migration gate's deterministic test, on the data-migration-specialist's migration. */
export function branchTestAction(deps: ChangeActionDeps): StepAction {
  return {
    name: 'branch-test',
    async run(ctx) {
      const migration = ctx.handoff?.migration;
      if (!migration) return {};
      if (!deps.target) {
        // Nothing to branch from, but the approver still sees the SQL, its risk and the lint.
        const linted = await lintForGate(migration.up_sql);
        return { checks: [...migrationReview(migration, linted.violations), ...linted.checks, NO_TARGET] };
      }
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
        return {
          checks: [
            { name: 'Smoke tests', status: 'warn', detail: 'not run: the agents proposed none', flags: ['not_done'] },
          ],
        };
      await loadSqlParser();
      if (!deps.target) return { checks: [{ ...NO_TARGET, name: 'Smoke tests' }] };
      const branch = await deps.target.provider.getBranch(ctx.workflow.id);
      if (!branch)
        return {
          checks: [
            {
              name: 'Smoke tests',
              status: 'warn',
              detail: 'not run: this workflow changed nothing on a branch',
              flags: ['not_done'],
            },
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
      await deps.target.provider.deleteBranch(data.workflowId ?? ctx.workflow.id);
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
      const migration = data.migration;
      await deps.target.revert(ctx.workflow.id, migration);
      await recordEvent(deps.pool, ctx.workflow.id, 'migration_reverted', null, { name: migration.name });
    },
  };
}
