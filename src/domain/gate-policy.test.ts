import type { Check } from './records';
import { earlierFindingsCheck, gatePolicy } from './gate-policy';

const pass: Check = { name: 'Types defined', status: 'pass' };
const dropped: Check = { name: 'Drops a column', status: 'warn', flags: ['destructive'] };
const dynamic: Check = { name: 'DO block', status: 'warn', flags: ['unanalysable'] };
const concurrently: Check = { name: 'Index built concurrently', status: 'pass', flags: ['non_transactional'] };
const failed: Check = { name: 'RLS on new tables', status: 'fail' };
const legacy: Check = {
  name: 'RLS, already on production: RLS disabled',
  status: 'fail',
  existing: true,
  flags: ['destructive'],
};

describe('the gate policy', () => {
  it('needs one approver when no check is destructive or unanalysable', () => {
    expect(gatePolicy({ checks: [pass, concurrently], merges: true }).approvalsNeeded).toBe(1);
  });

  it('needs two approvers for a destructive or an unanalysable finding of the gate itself, whatever the check is called', () => {
    expect(gatePolicy({ checks: [pass, { ...dropped, name: 'anything' }], merges: false })).toMatchObject({
      approvalsNeeded: 2,
      secondApprover: [{ name: 'anything' }],
    });
    expect(gatePolicy({ checks: [dynamic], merges: false }).approvalsNeeded).toBe(2);
  });

  it('reads no meaning into a name: a check called "Destructive statements" without a flag needs one approver', () => {
    expect(
      gatePolicy({ checks: [{ name: 'Destructive statements', status: 'warn' }], merges: true }).approvalsNeeded,
    ).toBe(1);
  });

  it("counts the earlier steps' flags at the merge gate, which merges them all, and not at an ordinary gate", () => {
    expect(gatePolicy({ checks: [pass], earlierChecks: [dropped], merges: true }).approvalsNeeded).toBe(2);
    expect(gatePolicy({ checks: [pass], earlierChecks: [dropped], merges: false }).approvalsNeeded).toBe(1);
  });

  it('blocks on failed checks of the gate only, and lists warnings to acknowledge', () => {
    const policy = gatePolicy({
      checks: [pass, failed, dropped],
      earlierChecks: [{ ...failed, name: 'earlier failure' }],
      merges: true,
    });
    expect(policy.blocking.map((c) => c.name)).toEqual(['RLS on new tables']);
    expect(policy.warnings.map((c) => c.name)).toEqual(['Drops a column']);
  });

  it('keeps findings already on production apart: they neither block nor call for a second approver', () => {
    const policy = gatePolicy({ checks: [pass, legacy], earlierChecks: [legacy], merges: true });
    expect(policy).toMatchObject({ approvalsNeeded: 1, blocking: [], warnings: [], existing: [legacy] });
  });
});

describe('the merge gate summary of earlier findings', () => {
  it('names each earlier finding that needs a second approver, with its flags', () => {
    expect(earlierFindingsCheck([pass, dropped, dynamic, concurrently, legacy])).toEqual({
      name: 'Earlier steps: needs a second approver',
      status: 'warn',
      detail: 'Drops a column (destructive); DO block (unanalysable)',
      flags: ['destructive', 'unanalysable'],
    });
  });

  it('is absent when nothing earlier needs a second approver', () => {
    expect(earlierFindingsCheck([pass, concurrently, legacy])).toBeUndefined();
  });
});
