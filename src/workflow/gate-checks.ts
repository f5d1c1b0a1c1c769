import type { Handoff } from '../agents/handoff';
import type { Check, Gate, Step } from '../store/rows';
import { GateKind } from './gate-kinds';

export interface GateCheckInput {
  handoff?: Handoff;
  earlierHandoffs: Handoff[];
  steps: Step[];
  gates: Gate[];
  stepId: number;
}

/** Deterministic checks of what the agents proposed, shown at each gate; the approver decides. */
export function gateChecks(kind: GateKind, input: GateCheckInput): Check[] {
  switch (kind) {
    case 'api_review':
      return apiReview(input.handoff);
    case 'branch_test':
      return branchTest(input.handoff);
    case 'security':
      return security([...input.earlierHandoffs, ...(input.handoff ? [input.handoff] : [])]);
    case 'ci_review':
      // The ci-review action, which this gate's step runs, computes them from the parsed files.
      return [];
    case 'smoke_test':
      return smokeTest(input);
  }
}

function apiReview(handoff?: Handoff): Check[] {
  const types = handoff?.artifacts.filter((a) => a.kind === 'typescript' && /\b(interface|type)\s+\w+/.test(a.content)) ?? [];
  return [
    types.length
      ? { name: 'Types defined', status: 'pass', detail: types.map((a) => a.path).join(', ') }
      : { name: 'Types defined', status: 'fail', detail: 'no TypeScript interface or type among the artifacts' },
    handoff?.next_steps.length
      ? { name: 'Contract handed on', status: 'pass', detail: `${handoff.next_steps.length} next step(s) for the implementers` }
      : { name: 'Contract handed on', status: 'warn', detail: 'the handoff lists no next steps' },
  ];
}

const DESTRUCTIVE = /\b(drop\s+(table|column|schema|type|view|function)|truncate\b|alter\s+column\s+\S+\s+(set\s+data\s+)?type\b|delete\s+from\b)/i;

function branchTest(handoff?: Handoff): Check[] {
  const m = handoff?.migration;
  if (!m) return [{ name: 'Migration proposed', status: 'fail', detail: 'the handoff has no migration (up_sql and down_sql)' }];
  const checks: Check[] = [
    { name: 'Migration proposed', status: 'pass', detail: `${m.name}: ${statementCount(m.up_sql)} statement(s)` },
    m.down_sql.trim() && m.down_sql.trim() !== m.up_sql.trim()
      ? { name: 'Rollback SQL ready', status: 'pass', detail: `${statementCount(m.down_sql)} statement(s)` }
      : { name: 'Rollback SQL ready', status: 'fail', detail: 'down_sql is missing or repeats up_sql' },
  ];
  const destructive = m.up_sql.match(DESTRUCTIVE);
  checks.push(
    destructive
      ? { name: 'Destructive statements', status: 'warn', detail: `\`${destructive[0]}\` can lose data: check the backup point before approving`, flags: ['destructive'] }
      : { name: 'Destructive statements', status: 'pass', detail: 'none' },
  );
  return checks;
}

function statementCount(sql: string): number {
  return sql.split(';').filter((s) => s.replace(/--.*$/gm, '').trim()).length;
}

/** A static RLS audit of every SQL the workflow proposed: new tables need RLS and policies; no write policy may be always true. */
function security(handoffs: Handoff[]): Check[] {
  const sql = handoffs
    .flatMap((h) => [h.migration?.up_sql ?? '', ...h.artifacts.filter((a) => a.kind === 'sql').map((a) => a.content)])
    .join('\n');
  const tables = [...sql.matchAll(/create\s+table\s+(?:if\s+not\s+exists\s+)?((?:"?\w+"?\.)?"?\w+"?)/gi)].map((m) => bare(m[1]!));
  const unique = [...new Set(tables)];
  const withRls = new Set([...sql.matchAll(/alter\s+table\s+(?:only\s+)?((?:"?\w+"?\.)?"?\w+"?)\s+enable\s+row\s+level\s+security/gi)].map((m) => bare(m[1]!)));
  const withPolicy = new Set([...sql.matchAll(/create\s+policy\s+(?:"[^"]+"|\w+)\s+on\s+((?:"?\w+"?\.)?"?\w+"?)/gi)].map((m) => bare(m[1]!)));
  const alwaysTrue = [...sql.matchAll(/create\s+policy\s+("[^"]+"|\w+)\s+on\s+\S+[^;]*?\bfor\s+(insert|update|delete|all)\b[^;]*?\b(using|with\s+check)\s*\(\s*true\s*\)/gi)].map((m) => m[1]!);
  const noRls = unique.filter((t) => !withRls.has(t));
  const noPolicy = unique.filter((t) => withRls.has(t) && !withPolicy.has(t));
  if (!unique.length && !alwaysTrue.length) {
    return [{ name: 'RLS on new tables', status: 'pass', detail: 'the proposed SQL creates no tables' }];
  }
  return [
    noRls.length
      ? { name: 'RLS on new tables', status: 'fail', detail: `no RLS on ${noRls.join(', ')}` }
      : { name: 'RLS on new tables', status: 'pass', detail: `enabled on ${unique.join(', ') || 'all'}` },
    noPolicy.length
      ? { name: 'Policies on RLS tables', status: 'warn', detail: `RLS without any policy denies everyone on ${noPolicy.join(', ')}` }
      : { name: 'Policies on RLS tables', status: 'pass' },
    alwaysTrue.length
      ? { name: 'No always-true write policy', status: 'fail', detail: `policy ${alwaysTrue.join(', ')} lets anyone write` }
      : { name: 'No always-true write policy', status: 'pass' },
  ];
}

function bare(name: string): string {
  const parts = name.replace(/"/g, '').toLowerCase().split('.');
  return parts.length === 2 && parts[0] === 'public' ? parts[1]! : parts.join('.');
}

function smokeTest(input: GateCheckInput): Check[] {
  const others = input.gates.filter((g) => g.step_id !== input.stepId);
  const pending = others.filter((g) => g.state !== 'approved');
  const failed = input.steps.filter((s) => s.state === 'failed');
  return [
    pending.length
      ? { name: 'Earlier gates approved', status: 'fail', detail: `${pending.length} not approved` }
      : { name: 'Earlier gates approved', status: 'pass', detail: `${others.length} gate(s)` },
    failed.length
      ? { name: 'Every step succeeded', status: 'fail', detail: failed.map((s) => s.title).join(', ') }
      : { name: 'Every step succeeded', status: 'pass' },
  ];
}
