import { z } from 'zod';

/** The value types of the settings: parsed and checked once, with a message that says how to fix a bad value. */

/** INFRA_APPROVERS: `*` (everyone, explicitly) or Slack user ids. */
export const approvers = z.string().transform((s, ctx): '*' | string[] => {
  if (s === '*') return '*';
  const ids = s
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter(Boolean);
  const bad = ids.filter((id) => !/^[UW][A-Z0-9]+$/.test(id));
  if (bad.length)
    ctx.addIssue({
      code: 'custom',
      message: `each id looks like U0123ABCD (not ${bad.join(', ')}); use * to let everyone decide`,
    });
  return ids;
});

/** INFRA_API_TOKENS: `name:secret` pairs, comma separated; each name is recorded as the caller. */
export const apiTokens = z.string().transform((s, ctx): Array<{ name: string; secret: string }> => {
  const pairs = s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) =>
      p.includes(':')
        ? { name: p.slice(0, p.indexOf(':')), secret: p.slice(p.indexOf(':') + 1) }
        : { name: '', secret: '' },
    );
  const names = new Set<string>();
  for (const { name, secret } of pairs) {
    if (!/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(name) || secret.length < 24) {
      ctx.addIssue({
        code: 'custom',
        // Names only: a message never repeats a secret.
        message:
          'each pair is name:secret, the name letters, digits, - or _ and the secret at least 24 characters ' +
          `(check ${/^[\w-]{1,40}$/.test(name) ? `"${name}"` : 'a pair without a valid name'})`,
      });
    } else if (names.has(name))
      ctx.addIssue({ code: 'custom', message: `the name ${name} appears twice; give each token its own` });
    names.add(name);
  }
  return pairs;
});

/** INFRA_APPROVER_GROUPS: Slack user group handles (`@platform-leads` or `platform-leads`) or ids (`S0123ABCD`). */
export const approverGroups = z.string().transform((s, ctx): string[] => {
  const groups = s
    .split(/[\s,]+/)
    .map((g) => g.trim())
    .filter(Boolean)
    .map((g) => (/^S[A-Z0-9]+$/.test(g) ? g : `@${g.replace(/^@/, '').toLowerCase()}`));
  const bad = groups.filter((g) => !/^S[A-Z0-9]+$/.test(g) && !/^@[a-z0-9][a-z0-9._-]*$/.test(g));
  if (bad.length)
    ctx.addIssue({
      code: 'custom',
      message: `name each group by its handle (@platform-leads) or its id (S0123ABCD), not ${bad.join(', ')}`,
    });
  return groups;
});

export const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `24h`, `90m`, `30s` or `1500ms` (a bare number is milliseconds), in ms. */
export const duration = z
  .string()
  .regex(/^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)?\s*$/, 'use a number with a unit, e.g. 24h, 90m, 30s or 1500ms')
  .transform((v) => {
    const [, amount, unit] = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(v)!;
    return Math.round(Number(amount) * UNIT_MS[unit ?? 'ms']!);
  })
  .pipe(z.number().int().min(1000, 'use at least 1s'));

/** An IANA time zone name such as Europe/Berlin, as Intl (and Postgres) know them. */
export const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'use an IANA time zone name such as Europe/Berlin or UTC');
