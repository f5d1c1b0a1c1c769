-- A workflow started by an @mention lives in the mention's thread: root_ts is that thread, and the bot's
-- root message (which it redraws) is a reply in it. NULL for /infra, whose root message is the thread.
ALTER TABLE workflows ADD COLUMN root_message_ts text;
