import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreflightResult } from '../../domain/preflight';
import type { ChangeTarget, HistoryEntry } from '../targets/change-target';

/** `<version>_<name>.sql`, the Supabase CLI's naming of `supabase/migrations/`. */
const FILE = /^(\d{14})_(.+)\.sql$/;

export interface MigrationFile {
  version: string;
  name: string;
  file: string;
}

/** The migration files of a folder, oldest first; a missing folder has none. */
export async function readMigrationFiles(dir: string): Promise<MigrationFile[] | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return migrationFilesOf(names);
}

/** The `<version>_<name>.sql` names of a folder's entries, oldest first; other names are not migrations. */
export function migrationFilesOf(names: readonly string[]): MigrationFile[] {
  return names
    .flatMap((file) => {
      const m = FILE.exec(file);
      return m ? [{ version: m[1]!, name: m[2]!, file }] : [];
    })
    .sort((a, b) => a.version.localeCompare(b.version));
}

/** What differs between the migration files and the target's history. */
export interface MigrationDrift {
  /** Files the target has not applied. */
  pending: MigrationFile[];
  /** Versions the target applied that have no file (applied by hand or from another checkout). */
  unrecorded: HistoryEntry[];
}

export function compareMigrations(files: MigrationFile[], history: HistoryEntry[]): MigrationDrift {
  const applied = new Set(history.map((h) => h.version));
  const filed = new Set(files.map((f) => f.version));
  return {
    pending: files.filter((f) => !applied.has(f.version)),
    unrecorded: history.filter((h) => !filed.has(h.version)),
  };
}

const list = (items: string[]) =>
  items.slice(0, 5).join(', ') + (items.length > 5 ? ` and ${items.length - 5} more` : '');

/**
 * The orchestrator's "check for pending migrations" as pre-flight results: pending files stop the workflow
 * (production is behind the repository, so a branch made from it would test the wrong schema); versions
 * applied without a file are drift, shown as a warning.
 */
export function migrationPreflight(drift: MigrationDrift | undefined, dir: string): PreflightResult[] {
  if (!drift)
    return [
      {
        name: 'Pending migrations',
        ok: true,
        warn: true,
        detail: `not checked: there is no migrations folder at ${dir} (set INFRA_MIGRATIONS_DIR to your repository's supabase/migrations)`,
      },
    ];
  const pending: PreflightResult = drift.pending.length
    ? {
        name: 'Pending migrations',
        ok: false,
        detail:
          `${drift.pending.length} migration file(s) not applied to the target: ${list(drift.pending.map((f) => f.file))}. ` +
          'Apply them (or remove the files), then start the request again',
      }
    : { name: 'Pending migrations', ok: true, detail: 'none: every migration file is applied to the target' };
  const drifted: PreflightResult = drift.unrecorded.length
    ? {
        name: 'Migration history drift',
        ok: true,
        warn: true,
        detail:
          `${drift.unrecorded.length} applied migration(s) have no file in ${dir}: ` +
          list(drift.unrecorded.map((h) => `${h.version}${h.name ? ` ${h.name}` : ''}`)),
      }
    : { name: 'Migration history drift', ok: true, detail: 'none: the history and the files agree' };
  return [pending, drifted];
}

/**
 * The pre-flight check comparing the target's history with the migrations folder. The bot's own
 * folder (the default) may not exist yet: that is an empty folder, not a missing one.
 */
export function migrationFilesCheck(target: ChangeTarget, dir: string, opts: { ownFolder: boolean }) {
  return {
    name: 'Pending migrations',
    async run(): Promise<PreflightResult[]> {
      const files = (await readMigrationFiles(dir)) ?? (opts.ownFolder ? [] : undefined);
      return migrationPreflight(files && compareMigrations(files, await target.history()), dir);
    },
  };
}

/**
 * Keeps the migrations folder in step with production: a merged migration is written as
 * `<version>_<name>.sql` (its rollback SQL beside it in `rollback/`), a reverted one is removed.
 */
export function withMigrationFiles(target: ChangeTarget, dir: string): ChangeTarget {
  const path = (version: string, name: string) => join(dir, `${version}_${name}.sql`);
  const rollbackPath = (version: string, name: string) => join(dir, 'rollback', `${version}_${name}.sql`);
  return {
    ...target,
    async merge(workflowId, migration) {
      const result = await target.merge(workflowId, migration);
      // Private like the rest of the workspace (0700 folders, 0600 files); git keeps no other mode bits.
      await mkdir(join(dir, 'rollback'), { recursive: true, mode: 0o700 });
      await writeFile(path(result.version, migration.name), `${migration.up_sql.trimEnd()}\n`, { mode: 0o600 });
      await writeFile(rollbackPath(result.version, migration.name), `${migration.down_sql.trimEnd()}\n`, {
        mode: 0o600,
      });
      return result;
    },
    async revert(workflowId, migration) {
      const before = (await target.history()).find((h) => h.name === migration.name);
      await target.revert(workflowId, migration);
      if (before) {
        await rm(path(before.version, migration.name), { force: true });
        await rm(rollbackPath(before.version, migration.name), { force: true });
      }
    },
  };
}
