/** `2026-11-30`: the `{date}` in the names of the workflow's files, in UTC. */
export function fileDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** A request as a file-name part: lower-case words joined by `-`, at most 40 characters. */
export function slug(text: string): string {
  const words = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  let out = '';
  for (const word of words) {
    const next = out ? `${out}-${word}` : word;
    if (next.length > 40) break;
    out = next;
  }
  return out || 'request';
}
