-- Files the bot writes for a workflow (plan, validation records, report), kept with the workflow.
CREATE TABLE artifacts (
  id            bigserial PRIMARY KEY,
  workflow_id   bigint NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  path          text NOT NULL,
  kind          text NOT NULL,
  content       text NOT NULL,
  source        text NOT NULL DEFAULT 'engine',
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workflow_id, path)
);

-- An unanswered question gets one reminder before the workflow stops.
ALTER TABLE questions ADD COLUMN reminded_at timestamptz;
