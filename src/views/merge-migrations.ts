import type { KnownBlock } from '@slack/types';
import type { ShownMigration } from '../domain/records';
import { fitCode } from './code-block';
import { SECTION_LIMIT, escapeMrkdwn, section } from './format';

/** Migrations drawn in full at the merge gate; the rest are listed by name (the message keeps under 50 blocks). */
const DRAWN = 6;

const RESULT: Record<ShownMigration['test'], string> = {
  passed: ':white_check_mark: `{name}` — branch test passed',
  failed: ':x: `{name}` — branch test failed',
  not_run: ':warning: `{name}` — branch test not run on this text',
};

/** The attached file of a migration whose SQL the gate shows only in part. */
export function migrationFilePath(migration: Pick<ShownMigration, 'name'>): string {
  return `merge/${migration.name}.sql`;
}

/** One SQL text as a code block of at most `limit` characters: its first lines, and a note when cut. */
function sqlBlock(title: string, sql: string, file: string, limit: number): { text: string; cut: boolean } {
  const head = `*${title}*\n`;
  const note = (left: number) => `\n_… ${left} more line(s): the full SQL is in the attached file \`${file}\`._`;
  const { block, cutLines } = fitCode(sql, limit - head.length - note(99_999).length);
  return { text: `${head}${block}${cutLines ? note(cutLines) : ''}`, cut: cutLines > 0 };
}

function drawn(migration: ShownMigration): { blocks: KnownBlock[]; cut: boolean } {
  const file = migrationFilePath(migration);
  const heading =
    `${RESULT[migration.test].replace('{name}', escapeMrkdwn(migration.name))} · ` +
    `from ${escapeMrkdwn(migration.step_title)} · sha256 \`${migration.sha256.slice(0, 12)}\``;
  const up = sqlBlock('Up', migration.up_sql, file, SECTION_LIMIT - heading.length - 1);
  const down = sqlBlock('Down', migration.down_sql, file, SECTION_LIMIT);
  return { blocks: [section(`${heading}\n${up.text}`), section(down.text)], cut: up.cut || down.cut };
}

/**
 * The merge gate's list of every migration it will merge: its branch-test result, its up and down SQL
 * in code blocks, each section under Slack's 3,000 characters (long SQL: its first lines, and a note
 * that the full file is attached — see {@link migrationFiles}).
 */
export function mergeMigrationBlocks(migrations: ShownMigration[]): KnownBlock[] {
  if (!migrations.length) return [];
  const blocks: KnownBlock[] = [section(`*Migrations this gate merges* (${migrations.length}), exactly as shown:`)];
  for (const migration of migrations.slice(0, DRAWN)) blocks.push(...drawn(migration).blocks);
  const rest = migrations.slice(DRAWN);
  if (rest.length) {
    blocks.push(
      section(
        `…and ${rest.map((m) => `${RESULT[m.test].replace('{name}', escapeMrkdwn(m.name))}`).join(', ')}: their ` +
          `SQL is in the attached files.`,
      ),
    );
  }
  return blocks;
}

/** The files to attach beside the merge gate: each migration whose SQL the gate does not show in full. */
export function migrationFiles(migrations: ShownMigration[]): Array<{ path: string; content: string }> {
  return migrations
    .filter((m, i) => i >= DRAWN || drawn(m).cut)
    .map((m) => ({
      path: migrationFilePath(m),
      content: `-- ${m.name} (sha256 ${m.sha256})\n-- up\n${m.up_sql}\n\n-- down\n${m.down_sql}\n`,
    }));
}
