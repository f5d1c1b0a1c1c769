/** Variables a client tool needs to find itself, its locale and its temporary folder. */
const KEPT = new Set(['PATH', 'HOME', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TEMP', 'TMP', 'SYSTEMROOT']);

/**
 * The environment the bot's client tools (pg_dump, pg_restore, psql, squawk) run with: the variables
 * above, the locale's `LC_*` and libpq's `PG*` (which fill what a connection URL leaves out), and
 * nothing else — the bot's own tokens, keys and connection strings never reach a child process.
 */
export function toolEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (KEPT.has(name) || name.startsWith('LC_') || name.startsWith('PG'))) kept[name] = value;
  }
  return kept;
}
