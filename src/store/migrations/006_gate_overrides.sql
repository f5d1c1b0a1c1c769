-- A failed check blocks Approve; two different approvers may override it, each giving a reason in the
-- thread: [{ "user": "U…", "at": "<iso time>", "reason": "…" }], in click order.
ALTER TABLE gates ADD COLUMN overrides jsonb NOT NULL DEFAULT '[]';
-- The migrations a merge gate showed and will merge, each pinned by the sha256 of its branch test:
-- [{ "step_id", "step_title", "name", "up_sql", "down_sql", "sha256", "test" }].
ALTER TABLE gates ADD COLUMN migrations jsonb NOT NULL DEFAULT '[]';
