import { functionsInArtifacts } from './edge-functions';

const ts = (path: string, content = 'export {}') => ({ path, kind: 'typescript' as const, content });

describe('Edge Functions among the artifacts', () => {
  it('finds each supabase/functions/<slug>/index.ts with its own files and the shared ones', () => {
    const found = functionsInArtifacts([
      ts('supabase/functions/track-progress/index.ts'),
      ts('supabase/functions/track-progress/schema.ts'),
      ts('supabase/functions/_shared/cors.ts'),
      ts('src/types/progress.ts'),
    ]);
    expect(found).toEqual([
      {
        slug: 'track-progress',
        entrypoint: 'supabase/functions/track-progress/index.ts',
        files: [
          { path: 'supabase/functions/track-progress/index.ts', content: 'export {}' },
          { path: 'supabase/functions/track-progress/schema.ts', content: 'export {}' },
          { path: 'supabase/functions/_shared/cors.ts', content: 'export {}' },
        ],
      },
    ]);
  });

  it('keeps the latest version of a file and ignores folders without an index.ts', () => {
    const found = functionsInArtifacts([
      ts('supabase/functions/hello/index.ts', 'v1'),
      ts('supabase/functions/helper/util.ts'),
      ts('supabase/functions/hello/index.ts', 'v2'),
    ]);
    expect(found.map((f) => [f.slug, f.files[0]?.content])).toEqual([['hello', 'v2']]);
  });
});
