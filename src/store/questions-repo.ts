import type { Queryable } from './db';
import { recordEvent } from './events';
import { type Question, parseRows, questionRowSchema } from '../domain/records';

export async function openQuestion(
  db: Queryable,
  q: { workflowId: number; stepId: number; toolUseId: string; question: string },
): Promise<Question> {
  const inserted = await db.query(
    `INSERT INTO questions (workflow_id, step_id, tool_use_id, question) VALUES ($1, $2, $3, $4)
     ON CONFLICT (step_id) WHERE state = 'open' DO NOTHING RETURNING *`,
    [q.workflowId, q.stepId, q.toolUseId, q.question],
  );
  if (inserted.rows.length) {
    await recordEvent(db, q.workflowId, 'question_asked', null, { step_id: q.stepId, question: q.question });
    return questionRowSchema.parse(inserted.rows[0]);
  }
  const { rows } = await db.query(`SELECT * FROM questions WHERE step_id = $1 AND state = 'open'`, [q.stepId]);
  return questionRowSchema.parse(rows[0]);
}

export async function findOpenQuestion(db: Queryable, workflowId: number): Promise<Question | undefined> {
  const { rows } = await db.query(
    `SELECT * FROM questions WHERE workflow_id = $1 AND state = 'open' ORDER BY id DESC LIMIT 1`,
    [workflowId],
  );
  return parseRows(questionRowSchema, rows)[0];
}

/** The answer a step has not yet resumed with, if any. */
export async function findUnconsumedAnswer(db: Queryable, stepId: number): Promise<Question | undefined> {
  const { rows } = await db.query(
    `SELECT * FROM questions WHERE step_id = $1 AND state = 'answered' AND resumed_at IS NULL ORDER BY id DESC LIMIT 1`,
    [stepId],
  );
  return parseRows(questionRowSchema, rows)[0];
}

/** Conditional: a second reply to the same question does not overwrite the first answer. */
export async function answerQuestion(
  db: Queryable,
  id: number,
  answer: string,
  user: string,
): Promise<Question | undefined> {
  const { rows } = await db.query(
    `UPDATE questions SET state = 'answered', answer = $2, answered_by = $3, answered_at = now() WHERE id = $1 ` +
      `AND state = 'open' RETURNING *`,
    [id, answer, user],
  );
  const q = parseRows(questionRowSchema, rows)[0];
  if (q) await recordEvent(db, q.workflow_id, 'question_answered', user, { step_id: q.step_id, question_id: id });
  return q;
}

export async function markResumed(db: Queryable, id: number): Promise<void> {
  await db.query('UPDATE questions SET resumed_at = now() WHERE id = $1 AND resumed_at IS NULL', [id]);
}

/** Open questions asked before `askedBefore`, oldest first. */
export async function listOverdueQuestions(db: Queryable, askedBefore: Date): Promise<Question[]> {
  const { rows } = await db.query(`SELECT * FROM questions WHERE state = 'open' AND created_at < $1 ORDER BY id`, [
    askedBefore,
  ]);
  return parseRows(questionRowSchema, rows);
}

/** True for the caller that marks the reminder first; the reminder is posted once. */
export async function markReminded(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE questions SET reminded_at = now() WHERE id = $1 AND state = 'open' AND reminded_at IS NULL`,
    [id],
  );
  if (rowCount) {
    const { rows } = await db.query('SELECT workflow_id FROM questions WHERE id = $1', [id]);
    await recordEvent(db, Number(rows[0].workflow_id), 'question_reminded', null, { question_id: id });
  }
  return Boolean(rowCount);
}
