-- One daily digest per channel and local day: the row is locked while the digest is posted, so
-- several workers, a job scheduler firing twice or a restart still give one message.
CREATE TABLE digests (
  channel_id    text NOT NULL,
  day           date NOT NULL,
  ts            text,
  posted_at     timestamptz,
  PRIMARY KEY (channel_id, day)
);
