/** Reading and writing Slack's Web API wire format, for the local Slack server. */
import { randomBytes } from 'node:crypto';
import { parse as parseQueryString } from 'node:querystring';

/** An answer of the Web API: HTTP status, JSON body, extra headers (Retry-After). */
export type ApiAnswer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

/** Form fields Slack's clients send as JSON text. */
const JSON_FIELDS = ['blocks', 'metadata', 'attachments', 'view'] as const;

/** Arguments of a Web API call from a form or JSON body; JSON-encoded form fields are decoded. */
export function parseParams(raw: string, contentType: string): Record<string, unknown> {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw === '') return {};
  if (type === 'application/json') {
    const parsed: unknown = JSON.parse(raw);
    if (!isRecord(parsed)) throw new Error('JSON body is not an object');
    return decodeJsonFields(parsed);
  }
  if (type === 'application/x-www-form-urlencoded') {
    const params: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(parseQueryString(raw))) {
      params[name] = Array.isArray(value) ? value[value.length - 1] : value;
    }
    return decodeJsonFields(params);
  }
  throw new Error(`unsupported content type "${contentType}"`);
}

/** Decodes the fields that clients send as JSON text; a malformed one stays a string. */
export function decodeJsonFields(params: Record<string, unknown>): Record<string, unknown> {
  for (const field of JSON_FIELDS) {
    const value = params[field];
    if (typeof value === 'string') {
      try {
        params[field] = JSON.parse(value);
      } catch {
        // Left as a string: the method answers the format error Slack would.
      }
    }
  }
  return params;
}

/** A successful answer. */
export function ok(body: Record<string, unknown>): ApiAnswer {
  return { status: 200, body: { ok: true, ...body } };
}

/** An `{ ok: false, error }` answer, HTTP 200 as Slack sends it. */
export function fail(error: string, extra: Record<string, unknown> = {}): ApiAnswer {
  return { status: 200, body: { ok: false, error, ...extra } };
}

/** Orders two message timestamps (`seconds.micros`). */
export function compareTs(a: string, b: string): number {
  const [aSec = '0', aFrac = ''] = a.split('.');
  const [bSec = '0', bFrac = ''] = b.split('.');
  const bySeconds = Number(aSec) - Number(bSec);
  if (bySeconds !== 0) return bySeconds;
  return Number(aFrac.padEnd(6, '0')) - Number(bFrac.padEnd(6, '0'));
}

/** The opaque pagination cursor pointing at `ts`. */
export function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString('base64');
}

/** The ts a cursor points at, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): string | undefined {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  return decoded.startsWith('next_ts:') ? decoded.slice('next_ts:'.length) : undefined;
}

/** A string argument (numbers are accepted as Slack accepts them). */
export function optionalString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** An integer argument, or undefined. */
export function toInt(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseInt(value, 10) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** A boolean argument as Slack reads it (`true`, "true", "1", 1). */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Uppercase letters and digits, like Slack ids. */
export function randomId(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** Text on one line, for dumps. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ⏎ ');
}
