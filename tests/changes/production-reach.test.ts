import { Pool } from 'pg';
import { branchTools } from '../../src/agents/tools/branch-tools';
import { workflowTools } from '../../src/agents/tools/workflow-tools';
import type { AgentToolStore } from '../../src/agents/tools/agent-tool-store';
import { LocalBranchProvider } from '../../src/changes/targets/local-branch-provider';
import { lintMigration } from '../../src/changes/checks/migration-lint';
import { auditRls } from '../../src/changes/checks/rls-audit';
import { runRoundTrip } from '../../src/changes/checks/round-trip';
import { createLogger } from '../../src/logger';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { branchServerUrl, createTestTarget, ROLE_SECRET, type TestTarget } from './test-target';

const MIGRATION = {
  name: 'add_notes',
  up_sql:
    'create table public.notes (id bigint generated always as identity primary key, body text not null);\nalter table ' +
    'public.notes enable row level security;',
  down_sql: 'drop table public.notes;',
};

/** The bot's own database as the tools see it: nothing stored yet. */
const emptyStore: AgentToolStore = {
  artifacts: async () => [],
  migrations: async () => [],
  branchCreating: async () => undefined,
  events: async () => [],
};

let target: TestTarget;
let proxy: RecordingProxy;
let provider: LocalBranchProvider;

beforeAll(async () => {
  target = await createTestTarget();
  const upstream = new URL(target.url);
  proxy = await startRecordingProxy(Number(upstream.port || 5432), upstream.hostname);
  const proxied = new URL(target.url);
  proxied.port = String(proxy.port);
  provider = new LocalBranchProvider({
    targetUrl: proxied.toString(),
    branchServerUrl: branchServerUrl(),
    roleSecret: ROLE_SECRET,
    logger: createLogger('silent'),
  });
});

afterAll(async () => {
  await proxy.close();
  await target.cleanup();
});

test(
  'only the read-only schema copy connects to production: no agent tool, branch test, lint, RLS audit or smoke test does, ' +
    'while merge does',
  async () => {
    const workflowId = target.newWorkflowId();
    proxy.phase = 'create branch';
    const branch = await provider.createBranch(workflowId);

    proxy.phase = 'agent tools';
    const tools = [
      ...branchTools({ branches: provider, store: emptyStore, sql: { timeoutMs: 5000, rowLimit: 50 } }),
      ...workflowTools({ store: emptyStore }),
    ];
    const inputs: Record<string, unknown> = {
      execute_sql: { query: 'select count(*) from public.profiles' },
      list_tables: { schemas: ['public'] },
      read_artifact: {},
      get_logs: { service: 'postgres' },
    };
    for (const tool of tools) {
      const input = tool.input.safeParse(inputs[tool.name] ?? {});
      if (input.success) await tool.execute(input.data, { workflowId, stepId: 1 });
    }

    proxy.phase = 'branch test';
    await lintMigration(MIGRATION.up_sql);
    const trip = await runRoundTrip(provider, branch, MIGRATION);
    expect(trip.ok).toBe(true);
    const pool = new Pool({ connectionString: branch.databaseUrl, max: 1 });
    try {
      await auditRls(pool, { tables: ['public.notes'] });
    } finally {
      await pool.end();
    }
    await provider.runSql(branch, 'select count(*) from public.notes', { readOnly: true });

    proxy.phase = 'clean-up';
    await provider.listBranches();
    await provider.deleteBranch(workflowId);

    proxy.phase = 'merge';
    await provider.merge(workflowId, MIGRATION);

    const copy = proxy.inPhase('create branch');
    expect(copy.length).toBeGreaterThan(0);
    for (const c of copy) expect(c.params.options).toContain('default_transaction_read_only=on');
    expect(proxy.inPhase('agent tools')).toEqual([]);
    expect(proxy.inPhase('branch test')).toEqual([]);
    expect(proxy.inPhase('clean-up')).toEqual([]);
    expect(proxy.inPhase('merge').length).toBeGreaterThan(0);
  },
);
