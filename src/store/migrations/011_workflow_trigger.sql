-- /infra requests recorded several to a statement (src/store/command-requests.ts): each workflow names
-- the slash command's trigger_id it came from, so each request gets its own workflow back.
ALTER TABLE workflows ADD COLUMN trigger_id text;
