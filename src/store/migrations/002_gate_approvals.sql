-- A gate may need more than one approval (destructive migrations need two people).
ALTER TABLE gates ADD COLUMN approvals_needed int NOT NULL DEFAULT 1 CHECK (approvals_needed BETWEEN 1 AND 5);
ALTER TABLE gates ADD COLUMN approvals text[] NOT NULL DEFAULT '{}';
