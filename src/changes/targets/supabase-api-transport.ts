/** Sends one Management API request: auth, timeout, zod check of the answer, and errors that say what to do. */
import type { z } from 'zod';
import { ApiCallError } from './api-call-error';

/** An API failure; `status` is the HTTP status, undefined for network errors and timeouts. */
export class SupabaseApiError extends ApiCallError {}

/** Options of the Management API client (SupabaseManagementApi). */
export interface SupabaseManagementApiOptions {
  /** e.g. `https://api.supabase.com` (SUPABASE_API_URL). */
  baseUrl: string;
  accessToken: string;
  fetch?: typeof fetch;
  /** Per-request timeout; default 30000 ms. */
  timeoutMs?: number;
}

/** One request; `hints` say what to do on a 4xx status; no `schema` means the answer has no body. */
export type SupabaseApiCall<T> = {
  action: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  schema?: z.ZodType<T>;
  body?: unknown;
  form?: FormData;
} & {
  query?: Record<string, string | undefined>;
  timeoutMs?: number;
  hints?: Partial<Record<number, string>>;
};

const NOT_FOUND_HINT = 'check SUPABASE_PROJECT_REF and that the branch still exists';

/** The HTTP side of the client; the token never reaches an error message. */
export class SupabaseApiTransport {
  private readonly baseUrl: string;
  private readonly accessToken: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: SupabaseManagementApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.accessToken = options.accessToken;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async call<T>(c: SupabaseApiCall<T>): Promise<T> {
    const url = new URL(this.baseUrl + c.path);
    for (const [name, value] of Object.entries(c.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, value);
    // A multipart body sets its own content type (with the boundary).
    const json: { body?: string | FormData; headers?: Record<string, string> } =
      c.form !== undefined
        ? { body: c.form }
        : c.body === undefined
          ? {}
          : { body: JSON.stringify(c.body), headers: { 'content-type': 'application/json' } };
    const headers = { authorization: `Bearer ${this.accessToken}`, accept: 'application/json', ...json.headers };
    const timeoutMs = c.timeoutMs ?? this.timeoutMs;
    let response: Response, text: string;
    try {
      response = await this.fetchFn(url, {
        method: c.method,
        headers,
        body: json.body ?? null,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      // DOMException: not always instanceof Error
      const timedOut = ['TimeoutError', 'AbortError'].includes(String((error as { name?: unknown } | null)?.name));
      const why = timedOut
        ? `no answer within ${timeoutMs} ms`
        : `could not reach ${url.origin} (${error instanceof Error ? error.message : String(error)})`;
      throw new SupabaseApiError(c.action, `${this.scrub(why)}; it can be retried`, true, undefined);
    }
    if (!response.ok) throw this.failure(c, response.status, text);
    if (c.schema === undefined) return undefined as T;
    const parsed = c.schema.safeParse(parseJson(text));
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new SupabaseApiError(
        c.action,
        `unexpected answer from ${c.method} ${c.path} (${issues.join('; ')}); the API may have changed`,
        false,
        response.status,
      );
    }
    return parsed.data;
  }

  private failure(c: SupabaseApiCall<unknown>, status: number, text: string): SupabaseApiError {
    const message = (parseJson(text) as { message?: unknown } | undefined)?.message;
    const what = `HTTP ${status}${typeof message === 'string' ? `: ${this.scrub(message).slice(0, 500).replace(/\.$/, '')}` : ''}`;
    const retryable = status === 429 || status >= 500;
    const why =
      status === 401
        ? `the access token was rejected (${what}); check SUPABASE_ACCESS_TOKEN`
        : status === 403
          ? `the access token may not do this (${what}); check SUPABASE_ACCESS_TOKEN belongs to a member of the project's organization`
          : retryable
            ? `the Management API ${status === 429 ? 'rate-limited the bot' : 'failed'} (${what}); it can be retried`
            : `${what}; ${c.hints?.[status] ?? (status === 404 ? NOT_FOUND_HINT : 'check the request')}`;
    return new SupabaseApiError(c.action, why, retryable, status);
  }

  /** Defence in depth: nothing that reaches an error message may contain the token. */
  scrub(text: string): string {
    return this.accessToken === '' ? text : text.split(this.accessToken).join('[redacted]');
  }
}

/** The JSON value of a body, or undefined when it is not JSON (zod then reports the shape). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
