import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line: tokens, keys, secrets and connection strings. */
export const redactedPaths = [
  '*.token',
  '*.*.token',
  'token',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.apiKey',
  '*.api_key',
  '*["x-api-key"]',
  '*.password',
  '*.secret',
  '*.signingSecret',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'ANTHROPIC_API_KEY',
  'SUPABASE_ACCESS_TOKEN',
  'DATABASE_URL',
  'TARGET_DATABASE_URL',
  'REDIS_URL',
  '*.DATABASE_URL',
  '*.REDIS_URL',
  '*.connectionString',
];

/** A structured logger with redaction; pass a destination to capture lines in tests. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, destination);
}

/** Removes credentials from a connection string or URL before it is shown to anyone. */
export function scrubUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+)(:[^@]*)?@/, '//$1:***@');
}
