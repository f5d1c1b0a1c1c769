import type { Gate } from '../../src/domain/records';
import { blockKitProblems } from '../../dev/local-slack/block-kit-limits';
import { gateOpenMessage } from '../../src/views/gate-message';

function ciGate(checks: Gate['checks']): Gate {
  return {
    id: 7,
    workflow_id: 1,
    step_id: 2,
    kind: 'ci_review',
    state: 'open',
    merges: false,
    approvals_needed: 1,
    approvals: [],
    checks,
    migrations: [],
    overrides: [],
    attempt: 1,
    reason: null,
    decided_by: null,
    decided_at: null,
    created_at: new Date(),
  };
}

describe('the code a gate shows', () => {
  it('shows each file in a code block, escaped, with a ``` inside unable to end the block', () => {
    const gate = ciGate([
      {
        name: '.github/workflows/a.yml',
        status: 'pass',
        detail: '2 line(s)',
        code: 'run: echo "<b>&" \n```\n<@U123> <!channel>',
      },
    ]);
    const text = JSON.stringify(gateOpenMessage(gate, 'Approvers: x').blocks);
    expect(text).toContain('*.github/workflows/a.yml* — 2 line(s)\\n```\\nrun: echo \\"&lt;b&gt;&amp;\\"');
    expect(text).toContain('&lt;@U123&gt; &lt;!channel&gt;');
    expect(text.match(/```/g)).toHaveLength(2);
  });

  it('stays inside Slack limits with thirty long files full of characters that escaping lengthens', () => {
    const code = Array.from({ length: 40 }, () => '<&>'.repeat(20)).join('\n');
    const checks = Array.from({ length: 30 }, (_, i) => ({
      name: `.github/workflows/f${i}.yml`,
      status: 'pass' as const,
      detail: 'first 40 of 90 lines shown',
      code,
    }));
    const blocks = gateOpenMessage(ciGate(checks), 'Approvers: x').blocks!;
    expect(blockKitProblems(blocks, 50)).toEqual([]);
    expect(JSON.stringify(blocks)).toContain('22 more file(s) are not shown here; they are attached in the thread.');
  });
});
