/** What the Branch Test gate shows of a migration besides its checks: its risk, its SQL and its schema diff. */
import type { Migration } from '../../domain/handoff';
import type { Check } from '../../domain/records';
import { analyseMigration, statementCount } from '../sql/sql-policy';
import { lockFacts } from '../sql/sql-lock-facts';
import { describeSyntaxError } from '../sql/sql-parser';
import type { LintViolation } from './migration-lint';
import { assessRisk, riskCheck, type RiskAssessment } from './migration-risk';

/** The most a check's `code` holds (records.ts); longer SQL is cut at a line. */
const CODE_LIMIT = 4000;

/** The risk of `migration`'s up SQL from the parser's classification and squawk's findings (`undefined`: not linted). */
export function migrationRisk(migration: Migration, lint: LintViolation[] | undefined): RiskAssessment {
  const analysis = analyseMigration(migration.up_sql);
  return assessRisk({
    findings: analysis.findings,
    ...(analysis.syntaxError ? { syntaxError: describeSyntaxError(analysis.syntaxError) } : {}),
    locks: lockFacts(migration.up_sql),
    ...(lint ? { lint } : {}),
  });
}

/** The first lines of `text` that fit in `limit` characters, and how many lines are left out. */
export function firstLines(text: string, limit = CODE_LIMIT): { code: string; more: number } {
  if (text.length <= limit) return { code: text, more: 0 };
  const lines = text.split('\n');
  let shown = 0;
  let size = 0;
  while (shown < lines.length && size + lines[shown]!.length + 1 <= limit) size += lines[shown++]!.length + 1;
  // One line longer than the limit: its start.
  if (!shown) return { code: lines[0]!.slice(0, limit), more: lines.length - 1 };
  return { code: lines.slice(0, shown).join('\n'), more: lines.length - shown };
}

function sqlCheck(name: string, sql: string, file: string | undefined): Check {
  const { code, more } = firstLines(sql);
  return {
    name,
    status: 'pass',
    detail: `${statementCount(sql)} statement(s)`,
    code,
    ...(more ? { code_more_lines: more } : {}),
    ...(file ? { code_file: file } : {}),
  };
}

const WORD: Record<string, string> = { '+': 'Added', '-': 'Removed', '~': 'Changed' };

/**
 * The schema diff as a list, added first, then removed, then changed, each line saying which
 * (`+ table t` of schema-diff.ts becomes `Added: table t`).
 */
export function diffCheck(diff: string[]): Check {
  const order = ['+', '-', '~'];
  const sorted = [...diff]
    .sort((a, b) => order.indexOf(a[0]!) - order.indexOf(b[0]!))
    .map((d) => (WORD[d[0]!] && d[1] === ' ' ? `${WORD[d[0]!]}: ${d.slice(2)}` : d));
  const count = (mark: string) => diff.filter((d) => d.startsWith(mark)).length;
  return {
    name: 'Schema diff',
    status: 'pass',
    detail: diff.length
      ? `${count('+')} added, ${count('-')} removed, ${count('~')} changed`
      : 'the schema is the same after the migration',
    items: sorted.slice(0, 300).map((d) => d.slice(0, 1000)),
  };
}

/**
 * The risk level with its reasons, then the up and down SQL, each as a check carrying its code (`file`:
 * the attached file holding both in full, named when the gate shows only their first lines).
 */
export function migrationReview(migration: Migration, lint: LintViolation[] | undefined, file?: string): Check[] {
  return [
    riskCheck(migrationRisk(migration, lint)),
    sqlCheck(`Up SQL: ${migration.name}`, migration.up_sql, file),
    sqlCheck('Down SQL (rollback)', migration.down_sql, file),
  ];
}
