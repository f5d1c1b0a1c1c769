-- The bot's own state. Postgres is the source of truth; BullMQ jobs carry ids only.
CREATE TABLE workflows (
  id              bigserial PRIMARY KEY,
  kind            text,
  request         text NOT NULL,
  requester       text NOT NULL,
  team_id         text NOT NULL,
  channel_id      text NOT NULL,
  root_ts         text,
  target          text NOT NULL,
  state           text NOT NULL DEFAULT 'planned'
                  CHECK (state IN ('planned','running','waiting_gate','waiting_reply','succeeded','failed','rejected','cancelled','rolled_back')),
  routing_reason  text,
  plan            jsonb,
  current_step    int NOT NULL DEFAULT 0,
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);
CREATE INDEX workflows_active ON workflows (target, id) WHERE state NOT IN ('succeeded','failed','rejected','cancelled','rolled_back');
CREATE UNIQUE INDEX workflows_root ON workflows (channel_id, root_ts) WHERE root_ts IS NOT NULL;

CREATE TABLE steps (
  id            bigserial PRIMARY KEY,
  workflow_id   bigint NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  idx           int NOT NULL,
  key           text NOT NULL,
  agent         text,
  title         text NOT NULL,
  state         text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending','running','waiting_reply','succeeded','failed','skipped','cancelled')),
  run           int NOT NULL DEFAULT 0,
  generation    int NOT NULL DEFAULT 0,
  failures      int NOT NULL DEFAULT 0,
  conversation  jsonb,
  handoff       jsonb,
  checks        jsonb,
  usage         jsonb,
  summary       text,
  error         text,
  started_at    timestamptz,
  finished_at   timestamptz,
  UNIQUE (workflow_id, idx)
);

CREATE TABLE gates (
  id            bigserial PRIMARY KEY,
  workflow_id   bigint NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  step_id       bigint NOT NULL UNIQUE REFERENCES steps(id) ON DELETE CASCADE,
  kind          text NOT NULL,
  state         text NOT NULL DEFAULT 'open' CHECK (state IN ('open','approved','rejected','rolled_back','expired')),
  merges        boolean NOT NULL DEFAULT false,
  checks        jsonb NOT NULL DEFAULT '[]',
  decided_by    text,
  decided_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE questions (
  id            bigserial PRIMARY KEY,
  workflow_id   bigint NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  step_id       bigint NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
  tool_use_id   text NOT NULL,
  question      text NOT NULL,
  state         text NOT NULL DEFAULT 'open' CHECK (state IN ('open','answered','expired')),
  answer        text,
  answered_by   text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  answered_at   timestamptz,
  resumed_at    timestamptz
);
CREATE UNIQUE INDEX questions_one_open ON questions (step_id) WHERE state = 'open';

CREATE TABLE compensations (
  id            bigserial PRIMARY KEY,
  workflow_id   bigint NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  step_id       bigint NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
  key           text NOT NULL,
  kind          text NOT NULL,
  data          jsonb NOT NULL DEFAULT '{}',
  state         text NOT NULL DEFAULT 'registered' CHECK (state IN ('registered','done','failed')),
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workflow_id, key)
);

CREATE TABLE target_locks (
  target        text PRIMARY KEY,
  workflow_id   bigint NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  acquired_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
  id            bigserial PRIMARY KEY,
  workflow_id   bigint REFERENCES workflows(id) ON DELETE CASCADE,
  type          text NOT NULL,
  actor         text,
  data          jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_workflow ON events (workflow_id, id);
CREATE INDEX events_type_time ON events (type, created_at);

-- Idempotency of Slack posts: a key is reserved before posting and its ts recorded after.
CREATE TABLE slack_messages (
  key           text PRIMARY KEY,
  channel_id    text NOT NULL,
  ts            text,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Slack retries events it believes failed; each event_id is handled once.
CREATE TABLE slack_events (
  event_id      text PRIMARY KEY,
  received_at   timestamptz NOT NULL DEFAULT now()
);
