-- Slash commands already received, by Slack's trigger_id: a signed command replayed (it stays valid for
-- Bolt's five minutes) starts nothing a second time.
CREATE TABLE slack_commands (
  trigger_id    text PRIMARY KEY,
  user_id       text NOT NULL,
  channel_id    text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now()
);
