import type { Artifact } from '../../domain/handoff';

/** An Edge Function to deploy: its slug and source files, paths relative to `supabase/functions/`. */
export interface EdgeFunctionSource {
  slug: string;
  entrypoint: string;
  files: Array<{ path: string; content: string }>;
}

const FUNCTION_FILE = /^supabase\/functions\/([A-Za-z_][A-Za-z0-9_-]*)\/(.+)$/;
const SHARED = '_shared';

/**
 * The Edge Functions among proposed artifacts, by the Supabase CLI's layout: each
 * `supabase/functions/<slug>/index.ts` is a function; files beside it and in `supabase/functions/_shared/`
 * are deployed with it, so its `../_shared/…` imports resolve. Later artifacts replace earlier ones.
 */
export function functionsInArtifacts(artifacts: Artifact[]): EdgeFunctionSource[] {
  const latest = new Map<string, string>();
  for (const a of artifacts) if (FUNCTION_FILE.test(a.path)) latest.set(a.path, a.content);
  const shared = [...latest].filter(([path]) => FUNCTION_FILE.exec(path)?.[1] === SHARED);
  const slugs = [...new Set([...latest.keys()].map((path) => FUNCTION_FILE.exec(path)![1]!))].filter(
    (slug) => slug !== SHARED && latest.has(`supabase/functions/${slug}/index.ts`),
  );
  return slugs.map((slug) => ({
    slug,
    entrypoint: `supabase/functions/${slug}/index.ts`,
    files: [...[...latest].filter(([path]) => FUNCTION_FILE.exec(path)?.[1] === slug), ...shared].map(
      ([path, content]) => ({ path, content }),
    ),
  }));
}
