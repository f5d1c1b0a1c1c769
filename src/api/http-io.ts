import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from './api-schemas';

/** The largest JSON body the API reads (bytes); a request is at most 3,000 characters. */
const BODY_LIMIT = 64 * 1024;

/** A request the route answers with `status` and an {@link ApiError} body. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.name = 'ApiFailure';
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** Reads a JSON body; an empty body is `{}`. Too large or not JSON is a 400/413 {@link ApiFailure}. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT)
      throw new ApiFailure(413, { error: 'body_too_large', message: `Send at most ${BODY_LIMIT} bytes of JSON.` });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiFailure(400, {
      error: 'invalid_json',
      message: 'The body is not JSON; send Content-Type: application/json and a JSON object.',
    });
  }
}
