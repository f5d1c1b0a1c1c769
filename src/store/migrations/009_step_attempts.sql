-- Request changes: a step runs again (attempt 2, 3, …) and each attempt has its own gate.
ALTER TABLE steps ADD COLUMN attempt integer NOT NULL DEFAULT 1;
ALTER TABLE gates ADD COLUMN attempt integer NOT NULL DEFAULT 1;
ALTER TABLE gates ADD COLUMN reason text;
ALTER TABLE gates DROP CONSTRAINT gates_step_id_key;
ALTER TABLE gates ADD CONSTRAINT gates_step_attempt_key UNIQUE (step_id, attempt);
ALTER TABLE gates DROP CONSTRAINT gates_state_check;
ALTER TABLE gates ADD CONSTRAINT gates_state_check
  CHECK (state IN ('open','approved','rejected','rolled_back','expired','changes_requested'));
