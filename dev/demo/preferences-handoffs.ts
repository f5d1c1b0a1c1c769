/** The handoffs a competent model would submit for "Add a new table for user preferences". */
export const PREFERENCES_HANDOFFS = {
  'api-designer': {
    summary: 'UserPreferences interface and GET/PUT /preferences contract',
    context: 'One row of preferences per user, keyed by user id; theme and locale for now.',
    artifacts: [
      {
        path: 'src/modules/core/types/preferences.ts',
        kind: 'typescript',
        content:
          'export interface UserPreferences {\n  userId: string;\n  theme: "light" | "dark";\n  locale: string;\n}\n',
      },
    ],
    next_steps: [
      'Create table user_preferences with user_id primary key',
      'Only the owner may read or write their row',
    ],
    constraints: ['user_id references auth.users'],
    contract: {
      types: [{ name: 'UserPreferences', path: 'src/modules/core/types/preferences.ts' }],
      endpoints: [
        { method: 'GET', path: '/preferences', auth: 'authenticated', summary: "The caller's preferences" },
        { method: 'PUT', path: '/preferences', auth: 'authenticated', summary: "Replaces the caller's preferences" },
      ],
    },
  },
  'data-migration-specialist': {
    summary: 'Migration create_user_preferences with rollback',
    context: 'Creates public.user_preferences with RLS enabled and owner-only policies.',
    artifacts: [],
    next_steps: ['Add queries for reading and upserting preferences'],
    constraints: ['Apply on the branch first'],
    migration: {
      name: 'create_user_preferences',
      up_sql:
        'create table public.user_preferences (user_id uuid primary key references auth.users(id), theme text not null ' +
        "default 'light', locale text not null default 'en');\n" +
        'alter table public.user_preferences enable row level security;\n' +
        'create policy "owner reads" on public.user_preferences for select using (auth.uid() = user_id);\n' +
        'create policy "owner writes" on public.user_preferences for update using (auth.uid() = user_id);',
      down_sql: 'drop table public.user_preferences;',
    },
  },
  'backend-engineer': {
    summary: 'Owner-only RLS policies verified; preferences queries and generated types',
    context: 'Queries use the anon key with the user JWT so RLS applies.',
    artifacts: [
      {
        path: 'src/modules/core/queries/preferences.ts',
        kind: 'typescript',
        content: 'export async function getPreferences() {}\n',
      },
    ],
    next_steps: ['Run the migration in CI'],
    constraints: [],
    policies: [
      { table: 'public.user_preferences', name: 'owner reads', command: 'select', roles: ['authenticated'] },
      { table: 'public.user_preferences', name: 'owner writes', command: 'update', roles: ['authenticated'] },
    ],
  },
  'devops-engineer': {
    summary: 'CI runs supabase db push against the preview branch',
    context: 'Migration check job added to the existing workflow.',
    artifacts: [
      { path: '.github/workflows/migrations.yml', kind: 'yaml', content: 'name: migrations\non: [pull_request]\n' },
    ],
    next_steps: [],
    constraints: [],
    pipeline: {
      files: ['.github/workflows/migrations.yml'],
      secrets: ['SUPABASE_ACCESS_TOKEN'],
      environments: ['preview'],
    },
  },
} as const;
