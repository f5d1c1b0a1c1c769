-- The HTTP API (issue 14): who started a workflow through the API, where its state changes are POSTed,
-- and the outbox those POSTs are delivered from. A row of callback_outbox is written in the same
-- transaction as the state change it reports, so a change is never lost while Redis is away.
-- Nullable columns without a default: catalogue-only changes, but they wait for ACCESS EXCLUSIVE; give
-- up after 5 s instead of queueing every query behind a long transaction (start-up stops; restart it).
SET LOCAL lock_timeout = '5s';
ALTER TABLE workflows ADD COLUMN api_caller text;
ALTER TABLE workflows ADD COLUMN callback_url text;
-- The API caller (a token's name) of the event's workflow, copied onto every event of it.
ALTER TABLE events ADD COLUMN caller text;

CREATE TABLE callback_outbox (
  id            bigserial PRIMARY KEY,
  workflow_id   bigint NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  caller        text NOT NULL,
  url           text NOT NULL,
  body          jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  enqueued_at   timestamptz,
  attempts      int NOT NULL DEFAULT 0,
  last_error    text,
  delivered_at  timestamptz,
  given_up_at   timestamptz
);
CREATE INDEX callback_outbox_pending ON callback_outbox (id) WHERE delivered_at IS NULL AND given_up_at IS NULL;
-- No index on workflows.api_caller: building one would block writes to workflows, and the API's list
-- (newest first, by id) reads few rows of a table this bot keeps small.
