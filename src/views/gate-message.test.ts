import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import type { Check, Gate } from '../domain/records';
import { gateOpenMessage } from './gate-message';

function gate(over: Partial<Gate> = {}): Gate {
  return {
    id: 7,
    workflow_id: 1,
    step_id: 2,
    kind: 'branch_test',
    state: 'open',
    merges: false,
    approvals_needed: 1,
    approvals: [],
    checks: [],
    migrations: [],
    overrides: [],
    attempt: 1,
    reason: null,
    decided_by: null,
    decided_at: null,
    created_at: new Date('2026-12-01T10:00:00Z'),
    ...over,
  };
}

function texts(blocks: KnownBlock[]): string[] {
  return blocks.flatMap((b) => {
    if (b.type === 'section') return [b.text!.text];
    if (b.type === 'context') return b.elements.map((e) => ('text' in e ? e.text : ''));
    return [];
  });
}

function buttons(blocks: KnownBlock[]): Button[] {
  return (blocks.find((b) => b.type === 'actions') as ActionsBlock).elements as Button[];
}

const up: Check = {
  name: 'Up SQL: drop_notes',
  status: 'pass',
  detail: '1 statement(s)',
  code: 'drop table public.notes;',
};

describe('the gate message', () => {
  it('shows the risk with its reason, the SQL in a code block and the schema diff as a list', () => {
    const { blocks } = gateOpenMessage(
      gate({
        checks: [
          { name: 'Risk: high', status: 'pass', risk: 'high', detail: 'destructive — statement 1: DROP TABLE' },
          up,
          {
            name: 'Schema diff',
            status: 'pass',
            detail: '0 added, 1 removed, 0 changed',
            items: ['Removed: table public.notes'],
          },
        ],
      }),
      'Any member may approve.',
    );
    const text = texts(blocks).join('\n');

    expect(text).toContain('*Risk: :red_circle: High* — destructive — statement 1: DROP TABLE');
    expect(text).toContain(
      ':white_check_mark: *Up SQL: drop_notes* — 1 statement(s)\n```\ndrop table public.notes;\n```',
    );
    expect(text).toContain(
      ':white_check_mark: Schema diff — 0 added, 1 removed, 0 changed\n     • Removed: table public.notes',
    );
    expect(text).not.toContain('No automatic checks');
  });

  it('keeps hostile SQL inside its code block: no closing fence, mention, broadcast or link gets out', () => {
    const attack =
      'select 1;\n```\n<!channel> *approve now* <@U0ADMIN> <https://evil.example|the real diff>\n' +
      "`````\nselect '&lt;' || '&';\n``";
    const { blocks } = gateOpenMessage(gate({ checks: [{ ...up, code: attack }] }), 'note');
    const shown = texts(blocks).find((t) => t.includes('Up SQL'))!;

    expect(shown.match(/```/g)).toHaveLength(2);
    expect(shown.startsWith(':white_check_mark: *Up SQL: drop_notes* — 1 statement(s)\n```\n')).toBe(true);
    expect(shown.endsWith('\n```')).toBe(true);
    expect(shown).not.toMatch(/<[!@#]|<https?:/);
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).toContain('&lt;@U0ADMIN&gt;');
    expect(shown).toContain("'&amp;lt;' || '&amp;'");
  });

  it('cuts long SQL at a line under 3,000 characters and names the attached file holding all of it', () => {
    const sql = Array.from({ length: 300 }, (_, i) => `insert into public.notes values (${i});`).join('\n');
    const { blocks } = gateOpenMessage(
      gate({ checks: [{ ...up, code: sql, code_more_lines: 20, code_file: 'migration-test-wf1.md' }] }),
      'note',
    );
    const shown = texts(blocks).find((t) => t.includes('Up SQL'))!;

    expect(shown.length).toBeLessThanOrEqual(3000);
    expect(shown).toContain('insert into public.notes values (0);\n');
    expect(shown).toMatch(
      /values \(\d+\);\n```\n_… \d+ more line\(s\) not shown here: the full text is in the attached file `migration-test-wf1\.md`\._$/,
    );
    const shownLines = shown.split('\n').filter((l) => l.startsWith('insert')).length;
    expect(shown).toContain(`_… ${300 - shownLines + 20} more line(s)`);
  });

  it('stays within 50 blocks and 3,000 characters a section, saying what it cut', () => {
    const checks: Check[] = Array.from({ length: 60 }, (_, i) => ({
      name: `file-${i}.yml`,
      status: 'pass',
      code: 'x'.repeat(100),
    }));
    const many: Check[] = Array.from({ length: 1000 }, (_, i) => ({
      name: `RLS: finding ${i}`,
      status: 'warn',
      detail: 'y'.repeat(200),
    }));
    const { blocks } = gateOpenMessage(gate({ checks: [...checks, ...many] }), 'note');

    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const t of texts(blocks)) expect(t.length).toBeLessThanOrEqual(3000);
    expect(texts(blocks).join('\n')).toMatch(/52 more file\(s\) are not shown here/);
    expect(texts(blocks).join('\n')).toMatch(
      /:scissors: \d+ more section\(s\) are not shown: a Slack message holds at most 50 blocks/,
    );
    expect(blocks[blocks.length - 2]!.type).toBe('actions');
  });

  it('asks to confirm the merge gate’s Approve, naming what it merges', () => {
    const plan: Check = {
      name: 'What approving does',
      status: 'pass',
      merge_plan: true,
      detail: 'merges 1 migration(s) into the Postgres database db:5432/app, after taking a backup point',
      items: ['Migration create_notes (from Write the migration): its up SQL shown above runs on db:5432/app'],
    };
    const { blocks } = gateOpenMessage(gate({ kind: 'smoke_test', merges: true, checks: [plan] }), 'note');
    const [approve] = buttons(blocks);
    const rollback = buttons(blocks).find((b) => b.text.text === 'Rollback');

    expect(approve!.confirm).toMatchObject({
      title: { text: 'Approve and merge to production?' },
      text: { text: expect.stringContaining('merges 1 migration(s) into the Postgres database db:5432/app') },
      confirm: { text: 'Approve and merge' },
      style: 'danger',
    });
    expect(rollback!.confirm?.text.text).toContain('Nothing has been merged to production yet');
    const text = texts(blocks).join('\n');
    expect(text).toContain(':rotating_light: *What approving this gate does:* merges 1 migration(s)');
    expect(text).toContain('• Migration create_notes (from Write the migration)');
  });

  it('says plainly when approving the merge gate merges nothing', () => {
    const plan: Check = {
      name: 'What approving does',
      status: 'pass',
      merge_plan: true,
      detail: 'nothing will be merged — this workflow proposed no migration and no Edge Function',
    };
    const { blocks } = gateOpenMessage(gate({ kind: 'smoke_test', merges: true, checks: [plan] }), 'note');
    const text = texts(blocks).join('\n');

    expect(text).toContain('Approving this gate: nothing will be merged — this workflow proposed no migration');
    expect(text).not.toContain('merges the change to production');
    expect(buttons(blocks)[0]!.confirm?.text.text).toContain('nothing will be merged');
  });

  it('puts no confirm on the Approve of a gate that does not merge', () => {
    const { blocks } = gateOpenMessage(gate(), 'note');

    expect(buttons(blocks)[0]).not.toHaveProperty('confirm');
    expect(buttons(blocks).find((b) => b.text.text === 'Rollback')!.confirm).toBeDefined();
  });
});
