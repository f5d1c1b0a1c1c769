import type { Handoff } from '../../domain/handoff';
import type { Check } from '../../domain/records';
import { policyChecks, statementCount } from '../sql/sql-policy';
import { rlsFacts } from '../sql/sql-rls-facts';
import type { GateKind } from '../../domain/gate-kinds';
import type { GateCheckInput } from '../../engine/ports/change-pipeline';

/** Deterministic checks of what the agents proposed, shown at each gate; the approver decides. */
export function gateChecks(kind: GateKind, input: GateCheckInput): Check[] {
  switch (kind) {
    case 'api_review':
      return apiReview(input.handoff);
    case 'branch_test':
      return branchTest(input.handoff);
    case 'security':
      return security([...input.earlierHandoffs, ...(input.handoff ? [input.handoff] : [])], input.handoff);
    case 'ci_review':
      // The ci-review action, which this gate's step runs, computes them from the parsed files.
      return [];
    case 'smoke_test':
      return smokeTest(input);
  }
}

function apiReview(handoff?: Handoff): Check[] {
  const types =
    handoff?.artifacts.filter((a) => a.kind === 'typescript' && /\b(interface|type)\s+\w+/.test(a.content)) ?? [];
  return [
    types.length
      ? { name: 'Types defined', status: 'pass', detail: types.map((a) => a.path).join(', ') }
      : { name: 'Types defined', status: 'fail', detail: 'no TypeScript interface or type among the artifacts' },
    handoff?.next_steps.length
      ? {
          name: 'Contract handed on',
          status: 'pass',
          detail: `${handoff.next_steps.length} next step(s) for the implementers`,
        }
      : { name: 'Contract handed on', status: 'warn', detail: 'the handoff lists no next steps' },
  ];
}

/** The migration's shape (named, with a real down) and the SQL policy's verdict on it (see sql-policy.ts). */
function branchTest(handoff?: Handoff): Check[] {
  const m = handoff?.migration;
  if (!m)
    return [
      { name: 'Migration proposed', status: 'fail', detail: 'the handoff has no migration (up_sql and down_sql)' },
    ];
  return [
    { name: 'Migration proposed', status: 'pass', detail: `${m.name}: ${statementCount(m.up_sql)} statement(s)` },
    m.down_sql.trim() && m.down_sql.trim() !== m.up_sql.trim()
      ? { name: 'Rollback SQL ready', status: 'pass', detail: `${statementCount(m.down_sql)} statement(s)` }
      : { name: 'Rollback SQL ready', status: 'fail', detail: 'down_sql is missing or repeats up_sql' },
    ...policyChecks(m),
  ];
}

/**
 * A static RLS audit of every SQL the workflow proposed, read by the Postgres parser: new tables
 * need RLS and policies; no permissive write policy may be always true. The step's own migration
 * also gets the SQL policy's verdict, so its flags reach this gate.
 */
function security(handoffs: Handoff[], current?: Handoff): Check[] {
  const sqls = handoffs
    .flatMap((h) => [h.migration?.up_sql ?? '', ...h.artifacts.filter((a) => a.kind === 'sql').map((a) => a.content)])
    .filter((s) => s.trim());
  const facts = rlsFacts(sqls);
  const policy = current?.migration ? policyChecks(current.migration).filter((c) => c.status !== 'pass') : [];
  const unreadable: Check[] = facts.unreadable.length
    ? [
        {
          name: 'Proposed SQL parses',
          status: 'warn',
          detail: `not audited, it does not parse: ${facts.unreadable.join('; ')}`,
        },
      ]
    : [];
  const created = facts.created;
  if (!created.length && !facts.alwaysTrueWrites.length) {
    return [
      { name: 'RLS on new tables', status: 'pass', detail: 'the proposed SQL creates no tables' },
      ...unreadable,
      ...policy,
    ];
  }
  const noRls = created.filter((t) => !facts.rlsEnabled.has(t));
  const noPolicy = created.filter((t) => facts.rlsEnabled.has(t) && !facts.withPolicy.has(t));
  return [
    noRls.length
      ? {
          name: 'RLS on new tables',
          status: 'fail',
          detail: `no RLS on ${noRls.map(shown).join(', ')}`,
          items: noRls.map((t) => `${shown(t)} — fix: \`alter table ${t} enable row level security\` and add policies`),
        }
      : { name: 'RLS on new tables', status: 'pass', detail: `enabled on ${created.map(shown).join(', ') || 'all'}` },
    noPolicy.length
      ? {
          name: 'Policies on RLS tables',
          status: 'warn',
          detail: `RLS without any policy denies everyone on ${noPolicy.map(shown).join(', ')}`,
          items: noPolicy.map((t) => `${shown(t)} — fix: \`create policy … on ${t}\` for the roles that use it`),
        }
      : { name: 'Policies on RLS tables', status: 'pass' },
    facts.alwaysTrueWrites.length
      ? {
          name: 'No always-true write policy',
          status: 'fail',
          detail: `policy ${facts.alwaysTrueWrites.join(', ')} lets anyone write`,
          items: facts.alwaysTrueWrites.map(
            (p) =>
              `policy ${p} — fix: restrict its using / with check to the row's owner, e.g. \`auth.uid() = user_id\``,
          ),
        }
      : { name: 'No always-true write policy', status: 'pass' },
    ...unreadable,
    ...policy,
  ];
}

/** A table as the gate shows it: without `public.`. */
function shown(table: string): string {
  return table.startsWith('public.') ? table.slice('public.'.length) : table;
}

function smokeTest(input: GateCheckInput): Check[] {
  // A gate sent back with Request changes was superseded by its step's next attempt's gate.
  const others = input.gates.filter((g) => g.step_id !== input.stepId && g.state !== 'changes_requested');
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
