import { randomUUID } from 'node:crypto';

/** An Edge Function as the fake holds it, per project ref. */
export interface FakeEdgeFunction {
  id: string;
  slug: string;
  version: number;
  verify_jwt: boolean;
  entrypoint_path: string;
  /** Source files by path, as uploaded. */
  files: Record<string, string>;
}

/** What a function answers when the fake is asked to run it. */
export interface FakeFunctionAnswer {
  status: number;
  body: unknown;
}

/** Runs a deployed function: the test decides what it answers. */
export type FakeFunctionRunner = (ref: string, fn: FakeEdgeFunction, body: unknown) => FakeFunctionAnswer;

type Answer = { status: number; body?: unknown };

/**
 * The Edge Function side of the fake: the Management API's deploy / list / delete and api-keys
 * endpoints, and the projects' own `/functions/v1/<slug>` endpoint that supabase-js calls (checked
 * for the project's anon key, as the real gateway checks it).
 */
export class FakeSupabaseFunctions {
  readonly deployed = new Map<string, FakeEdgeFunction[]>();
  readonly invocations: Array<{ ref: string; slug: string; body: unknown; status: number }> = [];
  onInvoke: FakeFunctionRunner | undefined;

  constructor(private readonly unexpected: string[]) {}

  anonKeyOf(ref: string): string {
    return `anon-key-${ref}`;
  }

  apiKeys(ref: string): Answer {
    return {
      status: 200,
      body: [
        { name: 'anon', api_key: this.anonKeyOf(ref) },
        { name: 'service_role', api_key: `service-key-${ref}` },
      ],
    };
  }

  list(ref: string): Answer {
    return { status: 200, body: (this.deployed.get(ref) ?? []).map(wire) };
  }

  /** POST …/functions/deploy?slug=: a multipart body with a `metadata` part and `file` parts. */
  async deploy(ref: string, slug: string | undefined, raw: Buffer, contentType: string | undefined): Promise<Answer> {
    if (!slug) {
      this.unexpected.push(`deploy to ${ref} without a slug`);
      return { status: 400, body: { message: 'slug is required' } };
    }
    if (!(contentType ?? '').startsWith('multipart/form-data')) {
      this.unexpected.push(`deploy of ${slug}: body is ${contentType ?? 'missing'}, not multipart/form-data`);
      return { status: 400, body: { message: 'Bad Request' } };
    }
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType! } }).formData();
    const metadataPart = form.get('metadata');
    const metadata = JSON.parse(
      typeof metadataPart === 'string' ? metadataPart : await (metadataPart as Blob).text(),
    ) as { entrypoint_path?: string; verify_jwt?: boolean };
    const files: Record<string, string> = {};
    for (const part of form.getAll('file')) {
      if (typeof part === 'string') continue;
      files[(part as File).name] = await part.text();
    }
    if (!metadata.entrypoint_path || files[metadata.entrypoint_path] === undefined) {
      return {
        status: 400,
        body: { message: `Entrypoint ${metadata.entrypoint_path ?? '(none)'} not found among the uploaded files` },
      };
    }
    const list = this.deployed.get(ref) ?? [];
    const before = list.find((f) => f.slug === slug);
    const fn: FakeEdgeFunction = {
      id: before?.id ?? randomUUID(),
      slug,
      version: (before?.version ?? 0) + 1,
      verify_jwt: metadata.verify_jwt ?? true,
      entrypoint_path: metadata.entrypoint_path,
      files,
    };
    this.deployed.set(ref, [...list.filter((f) => f.slug !== slug), fn]);
    return { status: 201, body: wire(fn) };
  }

  remove(ref: string, slug: string): Answer {
    const list = this.deployed.get(ref) ?? [];
    if (!list.some((f) => f.slug === slug)) return { status: 404, body: { message: 'Function not found' } };
    this.deployed.set(
      ref,
      list.filter((f) => f.slug !== slug),
    );
    return { status: 200 };
  }

  /** `/<ref>/functions/v1/<slug>`, as supabase-js calls it with the anon key. */
  invoke(ref: string, slug: string, headers: { apikey?: string; authorization?: string }, raw: string): Answer {
    if (headers.apikey !== this.anonKeyOf(ref) || headers.authorization !== `Bearer ${this.anonKeyOf(ref)}`) {
      return { status: 401, body: { message: 'Invalid API key' } };
    }
    const fn = (this.deployed.get(ref) ?? []).find((f) => f.slug === slug);
    if (!fn) return { status: 404, body: { code: 'NOT_FOUND', message: 'Requested function was not found' } };
    let body: unknown = raw;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      // a non-JSON body is passed on as text
    }
    if (!this.onInvoke) {
      this.unexpected.push(`function ${slug} on ${ref} was called but the test scripted no answer`);
      return { status: 500, body: { message: 'no answer scripted' } };
    }
    const answer = this.onInvoke(ref, fn, body);
    this.invocations.push({ ref, slug, body, status: answer.status });
    return answer;
  }
}

function wire(f: FakeEdgeFunction): Record<string, unknown> {
  return {
    id: f.id,
    slug: f.slug,
    name: f.slug,
    status: 'ACTIVE',
    version: f.version,
    created_at: 1735689600000,
    updated_at: 1735689600000,
    verify_jwt: f.verify_jwt,
    import_map: false,
    entrypoint_path: f.entrypoint_path,
  };
}
