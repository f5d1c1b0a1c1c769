import { PREFERENCES_HANDOFFS } from './preferences-handoffs';

/** One of the orchestrator's sample requests, and what the scripted demo model answers for it. */
export interface SampleRequest {
  /** What to type after `/infra`. */
  request: string;
  /** Which typed requests this sample answers. */
  matches: RegExp;
  /** The handoff of each agent the request's workflow runs, as the model would submit it (validated when used). */
  handoffs: Record<string, Record<string, unknown>>;
  /** A question an agent asks before its handoff, so the demo shows replying in the thread. */
  question?: { agent: string; text: string };
}

const PROGRESS_TABLE_SQL =
  'create table public.lesson_progress (id bigint generated always as identity primary key, user_id uuid not null references ' +
  'auth.users(id), lesson_id text not null, percent int not null check (percent between 0 and 100), ' +
  'updated_at timestamptz not null default now(), unique (user_id, lesson_id));\n' +
  'alter table public.lesson_progress enable row level security;\n' +
  'create policy "owner reads progress" on public.lesson_progress for select using (auth.uid() = user_id);\n' +
  'create policy "owner records progress" on public.lesson_progress for insert with check (auth.uid() = user_id);\n' +
  'create policy "owner updates progress" on public.lesson_progress for update using (auth.uid() = user_id);';

/** The orchestrator's three sample requests: a schema change, an API endpoint and a CI/CD change. */
export const SAMPLE_REQUESTS: SampleRequest[] = [
  {
    request: 'Add a new table for user preferences',
    matches: /preference/i,
    handoffs: {
      ...PREFERENCES_HANDOFFS,
      'backend-engineer': {
        ...PREFERENCES_HANDOFFS['backend-engineer'],
        smoke_tests: [{ name: 'preferences readable', sql: 'select count(*) from public.user_preferences' }],
      },
    },
  },
  {
    request: 'Create an API for progress tracking',
    matches: /progress/i,
    question: {
      agent: 'api-designer',
      text: 'What should count as progress: lessons completed, or a percentage per lesson?',
    },
    handoffs: {
      'api-designer': {
        summary: 'LessonProgress type and GET/PUT /progress/:lessonId contract',
        context: 'Progress is a percentage per user and lesson; the owner reads and writes their own rows only.',
        artifacts: [
          {
            path: 'src/modules/progress/types.ts',
            kind: 'typescript',
            content:
              'export interface LessonProgress {\n  lessonId: string;\n  percent: number;\n  updatedAt: string;\n}\n',
          },
        ],
        next_steps: [
          'Store progress in public.lesson_progress, one row per user and lesson',
          'Serve it from an Edge Function that uses the caller JWT',
        ],
        constraints: ['percent is between 0 and 100'],
        contract: {
          types: [{ name: 'LessonProgress', path: 'src/modules/progress/types.ts' }],
          endpoints: [
            {
              method: 'GET',
              path: '/progress/:lessonId',
              auth: 'authenticated',
              summary: "The caller's progress in a lesson",
            },
            {
              method: 'PUT',
              path: '/progress/:lessonId',
              auth: 'authenticated',
              summary: "Records the caller's progress in a lesson",
            },
          ],
        },
      },
      'backend-engineer': {
        summary: 'Table lesson_progress with owner-only RLS, and the progress Edge Function',
        context: 'The Edge Function calls PostgREST with the caller JWT, so RLS decides what each user sees.',
        artifacts: [
          {
            path: 'supabase/functions/progress/index.ts',
            kind: 'typescript',
            content:
              'Deno.serve(async (req) => new Response(JSON.stringify({ ok: true }), { headers: { "content-type": ' +
              '"application/json" } }));\n',
          },
        ],
        next_steps: ['Deploy the progress function'],
        constraints: [],
        migration: {
          name: 'create_lesson_progress',
          up_sql: PROGRESS_TABLE_SQL,
          down_sql: 'drop table public.lesson_progress;',
        },
        policies: [
          {
            table: 'public.lesson_progress',
            name: 'owner reads progress',
            command: 'select',
            roles: ['authenticated'],
          },
          {
            table: 'public.lesson_progress',
            name: 'owner updates progress',
            command: 'update',
            roles: ['authenticated'],
          },
        ],
      },
      'devops-engineer': {
        summary: 'Deploy the progress function and watch its error rate',
        context: 'supabase functions deploy progress runs after the migration is merged.',
        artifacts: [
          {
            path: '.github/workflows/deploy-progress.yml',
            kind: 'yaml',
            content:
              'name: deploy-progress\non: { push: { branches: [main] } }\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    ' +
              'steps:\n      - uses: actions/checkout@v4\n      - run: supabase functions deploy progress\n',
          },
        ],
        next_steps: [],
        constraints: [],
        smoke_tests: [{ name: 'progress table readable', sql: 'select count(*) from public.lesson_progress' }],
        pipeline: {
          files: ['.github/workflows/deploy-progress.yml'],
          secrets: ['SUPABASE_ACCESS_TOKEN'],
          environments: ['production'],
        },
      },
    },
  },
  {
    request: 'Add preview deployments for PRs',
    matches: /preview/i,
    handoffs: {
      'devops-engineer': {
        summary: 'GitHub Actions workflow that deploys a preview for every pull request',
        context:
          'Each pull request gets a Supabase preview branch and a preview deployment; both are removed when it closes.',
        artifacts: [
          {
            path: '.github/workflows/preview.yml',
            kind: 'yaml',
            content:
              'name: preview\non: [pull_request]\njobs:\n  preview:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ' +
              'actions/checkout@v4\n      - run: supabase db push --db-url "$PREVIEW_DB_URL"\n',
          },
        ],
        next_steps: ['Give the preview its own database branch'],
        constraints: ['Secrets come from the repository environment "preview"'],
        pipeline: { files: ['.github/workflows/preview.yml'], secrets: ['PREVIEW_DB_URL'], environments: ['preview'] },
      },
      'backend-engineer': {
        summary: 'Preview databases come from Supabase branching, seeded from supabase/seed.sql',
        context: 'No schema change is needed; the preview workflow reads the branch connection string.',
        artifacts: [
          {
            path: 'supabase/seed.sql',
            kind: 'sql',
            content:
              "insert into auth.users (id) values ('00000000-0000-0000-0000-000000000001') on conflict do nothing;\n",
          },
        ],
        next_steps: ['Open a sample pull request to try the workflow'],
        constraints: [],
      },
    },
  },
];

/** The sample a typed request matches, if any. */
export function sampleFor(request: string): SampleRequest | undefined {
  return SAMPLE_REQUESTS.find((sample) => sample.matches.test(request));
}
