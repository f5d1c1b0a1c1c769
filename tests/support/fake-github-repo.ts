/** The fake GitHub's contents API (files, folders, deletes) and its GitHub App installation tokens. */
import { createHash, createVerify, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerValue, sendJson } from '../../dev/local-slack/local-http';
import { z } from 'zod';

export const putFileBody = z.strictObject({
  message: z.string().min(1),
  content: z.string(),
  branch: z.string(),
  sha: z.string().optional(),
});
export const refBody = z.strictObject({ ref: z.string().regex(/^refs\/heads\//), sha: z.string() });
export const pullBody = z.strictObject({
  title: z.string().min(1),
  head: z.string(),
  base: z.string(),
  body: z.string().optional(),
});
export const patchPullBody = z.strictObject({ state: z.enum(['open', 'closed']) });

const deleteFileBody = z.strictObject({ message: z.string().min(1), sha: z.string(), branch: z.string() });

/** An answer of the fake: status and JSON body. */
export interface FakeAnswer {
  status: number;
  body?: unknown;
}

export function sha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/**
 * GET a file (its sha and base64 content) or a folder (its entries, as GitHub lists them), DELETE a
 * file with its sha. `files` is one branch's files by path.
 */
export function contentsAnswer(
  files: Map<string, string> | undefined,
  method: string,
  path: string,
  body: unknown,
  onBadBody: (what: string) => never,
): FakeAnswer | undefined {
  if (method === 'GET') {
    const content = files?.get(path);
    if (content !== undefined)
      return {
        status: 200,
        body: {
          type: 'file',
          name: path.split('/').pop(),
          path,
          sha: sha(content),
          encoding: 'base64',
          content: Buffer.from(content).toString('base64'),
        },
      };
    const inside = [...(files?.keys() ?? [])].filter((p) => p.startsWith(`${path}/`));
    if (!inside.length) return { status: 404, body: { message: 'Not Found' } };
    const entries = new Map<string, { type: string; sha: string }>();
    for (const p of inside) {
      const [first, ...rest] = p.slice(path.length + 1).split('/');
      entries.set(
        first!,
        rest.length ? { type: 'dir', sha: sha(`${path}/${first}`) } : { type: 'file', sha: sha(files!.get(p)!) },
      );
    }
    return {
      status: 200,
      body: [...entries].map(([name, e]) => ({ name, path: `${path}/${name}`, sha: e.sha, type: e.type })),
    };
  }
  if (method === 'DELETE') {
    const parsed = deleteFileBody.safeParse(body);
    if (!parsed.success) onBadBody(`DELETE /contents/${path}`);
    const before = files?.get(path);
    if (before === undefined) return { status: 404, body: { message: 'Not Found' } };
    if (parsed.data!.sha !== sha(before)) return { status: 409, body: { message: `${path} does not match` } };
    files!.delete(path);
    return {
      status: 200,
      body: { content: null, commit: { sha: sha(`delete ${path} ${randomBytes(4).toString('hex')}`) } },
    };
  }
  return undefined;
}

/** A GitHub App as the fake knows it: the key its JWTs are checked with, and its one installation. */
export interface FakeGitHubApp {
  appId: string;
  installationId: string;
  publicKey: string;
}

/** Checks an App JWT (RS256, `iss` the App id, not expired) as GitHub does before issuing a token. */
function appJwtProblem(app: FakeGitHubApp, authorization: string | undefined): string | undefined {
  const jwt = /^bearer (.+)$/i.exec(authorization ?? '')?.[1];
  const [header, payload, signature] = jwt?.split('.') ?? [];
  if (!header || !payload || !signature) return 'no App JWT';
  const verifier = createVerify('RSA-SHA256').update(`${header}.${payload}`);
  if (!verifier.verify(app.publicKey, Buffer.from(signature, 'base64url'))) return 'the JWT signature does not verify';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { iss?: unknown; exp?: number };
  if (String(claims.iss) !== app.appId) return `the JWT is for App ${String(claims.iss)}`;
  if (!claims.exp || claims.exp * 1000 < Date.now()) return 'the JWT has expired';
  return undefined;
}

/** POST /app/installations/{id}/access_tokens: a fresh installation token for a valid App JWT. */
export function issueInstallationToken(
  fake: { app: FakeGitHubApp | undefined; issued: string[]; unexpected: string[] },
  req: IncomingMessage,
  res: ServerResponse,
  installationId: string,
): void {
  const problem = !fake.app
    ? 'no App is installed in the fake'
    : installationId !== fake.app.installationId
      ? `no installation ${installationId}`
      : appJwtProblem(fake.app, headerValue(req, 'authorization'));
  if (problem) {
    fake.unexpected.push(`POST /app/installations/${installationId}/access_tokens: ${problem}`);
    sendJson(res, 401, { message: 'A JSON web token could not be decoded' });
    return;
  }
  const token = `ghs_${randomBytes(18).toString('hex')}`;
  fake.issued.push(token);
  sendJson(res, 201, {
    token,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    permissions: { contents: 'write', pull_requests: 'write', actions: 'read' },
    repository_selection: 'selected',
  });
}
