import type { Check, RiskLevel } from '../../domain/records';
import type { FindingKind } from '../sql/sql-findings';
import type { LockFact } from '../sql/sql-lock-facts';

/** What the risk rule reads: the parser's classification of the up SQL and squawk's findings on it. */
export interface RiskInput {
  /** The SQL policy's findings on up_sql (see sql-policy.ts `analyseMigration`). */
  findings: Array<{ kind: FindingKind; statement: number; why: string }>;
  /** Why up_sql does not parse, when it does not. */
  syntaxError?: string;
  /** Locks and rewrites of tables that exist before the migration (see sql-lock-facts.ts). */
  locks: LockFact[];
  /** squawk's findings by rule, or `undefined` when the lint did not run. */
  lint?: Array<{ rule: string; level: 'error' | 'warning' }>;
}

export interface RiskAssessment {
  level: RiskLevel;
  /** Why, in words: the reasons for the level first, then lesser ones. */
  reasons: string[];
}

const ORDER: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 };

/**
 * The change's risk to production, after Bytebase's SQL review levels:
 * - **high**: a statement that loses data or breaks clients (drops, truncates, column type changes,
 *   renames, DELETE/UPDATE without WHERE), one the policy forbids, a table rewrite of an existing
 *   table, or SQL that does not parse;
 * - **medium**: a lock on an existing table (ALTER TABLE, CREATE INDEX without CONCURRENTLY, triggers,
 *   policies), a lint finding, code the engine cannot read, or a statement run outside the transaction;
 * - **low**: none of these — the change adds new objects without touching existing tables.
 * Deterministic: the same SQL and lint give the same level and reasons.
 */
export function assessRisk(input: RiskInput): RiskAssessment {
  const found: Array<{ level: RiskLevel; reason: string }> = [];
  const add = (level: RiskLevel, reason: string) => found.push({ level, reason });
  if (input.syntaxError) add('high', `the SQL does not parse (${input.syntaxError}), so nothing about it is known`);
  for (const f of input.findings) {
    const at = `statement ${f.statement}: ${f.why}`;
    if (f.kind === 'forbidden') add('high', `forbidden — ${at}`);
    if (f.kind === 'destructive') add('high', `destructive — ${at}`);
    if (f.kind === 'unanalysable') add('medium', `code the engine cannot read — ${at}`);
    if (f.kind === 'non_transactional') add('medium', `outside the transaction — ${at}`);
  }
  for (const l of input.locks) {
    add(
      l.kind === 'rewrite' ? 'high' : 'medium',
      `${l.kind === 'rewrite' ? 'rewrites' : 'locks'} existing table ${l.table} — statement ${l.statement}: ${l.why}`,
    );
  }
  const rules = new Map<string, 'error' | 'warning'>();
  for (const v of input.lint ?? []) if (rules.get(v.rule) !== 'error') rules.set(v.rule, v.level);
  if (rules.size) {
    const listed = [...rules].map(([rule, level]) => `${rule}${level === 'error' ? ' (error)' : ''}`);
    add('medium', `squawk found ${listed.join(', ')}`);
  }
  found.sort((a, b) => ORDER[b.level] - ORDER[a.level]);
  const level = found[0]?.level ?? 'low';
  const reasons = found.map((f) => f.reason);
  if (!found.length) reasons.push('additive only: nothing is dropped, rewritten or locked on an existing table');
  if (input.lint === undefined) reasons.push('the lint did not run, so squawk’s rules were not checked');
  return { level, reasons: [...new Set(reasons)] };
}

const SHOWN_REASONS = 8;

/** The assessment as the gate's risk check: `detail` is the reasons in words, the first few of them. */
export function riskCheck(risk: RiskAssessment): Check {
  const shown = risk.reasons.slice(0, SHOWN_REASONS);
  const more = risk.reasons.length - shown.length;
  return {
    name: `Risk: ${risk.level}`,
    status: 'pass',
    risk: risk.level,
    detail: shown.join('; ') + (more > 0 ? `; and ${more} more reason(s)` : ''),
  };
}
