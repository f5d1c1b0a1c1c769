import type { ShownMigration } from '../domain/records';
import { mergeMigrationBlocks, migrationFiles } from './merge-migrations';

const short: ShownMigration = {
  step_id: 2,
  step_title: 'Write and test the migration',
  name: 'create_notes',
  sha256: 'a'.repeat(64),
  test: 'passed',
  up_sql: 'create table public.notes (id int);',
  down_sql: 'drop table public.notes;',
};

function texts(blocks: ReturnType<typeof mergeMigrationBlocks>): string[] {
  return blocks.map((b) => (b as { text: { text: string } }).text.text);
}

describe('the migrations at the merge gate', () => {
  it('shows each migration with its branch-test result and its up and down SQL in code blocks', () => {
    const [title, up, down] = texts(mergeMigrationBlocks([short, { ...short, name: 'untested', test: 'not_run' }]));
    expect(title).toBe('*Migrations this gate merges* (2), exactly as shown:');
    expect(up).toContain(
      ':white_check_mark: `create_notes` — branch test passed · from Write and test the migration · sha256 `aaaaaaaaaaaa`',
    );
    expect(up).toContain('*Up*\n```\ncreate table public.notes (id int);\n```');
    expect(down).toBe('*Down*\n```\ndrop table public.notes;\n```');
    expect(texts(mergeMigrationBlocks([{ ...short, test: 'not_run' }]))[1]).toContain(
      ':warning: `create_notes` — branch test not run on this text',
    );
    expect(migrationFiles([short])).toEqual([]);
  });

  it('cuts long SQL to its first lines under 3,000 characters per section and attaches the full file', () => {
    const up_sql = Array.from({ length: 400 }, (_, i) => `insert into public.notes values (${i}); -- <row ${i}>`).join(
      '\n',
    );
    const long = { ...short, up_sql };
    const blocks = texts(mergeMigrationBlocks([long]));
    for (const text of blocks) expect(text.length).toBeLessThanOrEqual(3000);
    expect(blocks[1]).toContain('insert into public.notes values (0); -- &lt;row 0&gt;');
    expect(blocks[1]).toMatch(
      /_… \d+ more line\(s\): the full SQL is in the attached file `merge\/create_notes\.sql`\._$/,
    );
    const [file] = migrationFiles([long]);
    expect(file!.path).toBe('merge/create_notes.sql');
    expect(file!.content).toContain(up_sql);
  });
});
