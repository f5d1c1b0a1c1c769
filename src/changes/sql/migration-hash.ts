import { createHash } from 'node:crypto';
import type { Migration } from '../../domain/handoff';

/**
 * The sha256 (hex) that pins a migration's text: taken when the branch test runs it, compared at the
 * merge, so production gets exactly the text that was tested. Covers name, up and down, unambiguously.
 */
export function migrationHash(migration: Pick<Migration, 'name' | 'up_sql' | 'down_sql'>): string {
  return createHash('sha256')
    .update(JSON.stringify([migration.name, migration.up_sql, migration.down_sql]))
    .digest('hex');
}
