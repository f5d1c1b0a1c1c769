import { z } from 'zod';
import { artifactSchema } from '../domain/handoff';
import type { Queryable } from './db';
import { parseRows } from '../domain/records';

export const storedArtifactSchema = artifactSchema.extend({
  id: z.coerce.number().int().positive(),
  workflow_id: z.coerce.number().int().positive(),
  source: z.string(),
  created_at: z.coerce.date(),
});
export type StoredArtifact = z.infer<typeof storedArtifactSchema>;

/** Stores a file of the workflow; writing the same path again replaces its content. */
export async function saveArtifact(
  db: Queryable,
  a: { workflowId: number; path: string; kind: StoredArtifact['kind']; content: string; source?: string },
): Promise<StoredArtifact> {
  const { rows } = await db.query(
    `INSERT INTO artifacts (workflow_id, path, kind, content, source) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workflow_id, path) DO UPDATE SET content = EXCLUDED.content, kind = EXCLUDED.kind RETURNING *`,
    [a.workflowId, a.path, a.kind, a.content, a.source ?? 'engine'],
  );
  return storedArtifactSchema.parse(rows[0]);
}

export async function listArtifacts(db: Queryable, workflowId: number): Promise<StoredArtifact[]> {
  const { rows } = await db.query('SELECT * FROM artifacts WHERE workflow_id = $1 ORDER BY id', [workflowId]);
  return parseRows(storedArtifactSchema, rows);
}
