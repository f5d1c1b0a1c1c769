import { gateWaitsFor, WaitingGate } from './digest-data';

const gate = (overrides: Partial<WaitingGate> = {}): WaitingGate => ({
  workflow_id: 1,
  kind: 'branch_test',
  merges: false,
  approvals: [],
  opened_at: new Date('2026-11-30T07:00:00Z'),
  channel_id: 'C0INFRA001',
  root_ts: null,
  request: 'Add a table',
  requester: 'U0REQUEST1',
  ...overrides,
});

describe('which gates wait for a person', () => {
  const policy = { approvers: ['U0APPROVE1', 'U0APPROVE2'], requesterMayApproveMerge: false };

  it('shows an approver every open gate they have not approved yet', () => {
    expect(gateWaitsFor(gate(), 'U0APPROVE1', policy)).toBe(true);
    expect(gateWaitsFor(gate({ approvals: ['U0APPROVE1'] }), 'U0APPROVE1', policy)).toBe(false);
  });

  it('shows no gate to someone outside INFRA_APPROVERS, and every gate to anyone when it is unset', () => {
    expect(gateWaitsFor(gate(), 'U0STRANGE1', policy)).toBe(false);
    expect(gateWaitsFor(gate(), 'U0STRANGE1', { requesterMayApproveMerge: false })).toBe(true);
  });

  it('leaves the merge gate off the requester\'s list unless the requester may approve merges', () => {
    const merge = gate({ merges: true, requester: 'U0APPROVE1' });
    expect(gateWaitsFor(merge, 'U0APPROVE1', policy)).toBe(false);
    expect(gateWaitsFor(merge, 'U0APPROVE1', { ...policy, requesterMayApproveMerge: true })).toBe(true);
  });
});
