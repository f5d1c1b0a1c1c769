import { textOf } from '../../dev/local-slack/block-text';
import type { FakeSupabaseApi } from '../support/fake-supabase-api';
import { type SupabaseProject, startSupabaseProject } from './supabase-project';
import { APPROVER, Harness } from '../support/harness';
import { HANDOFFS, submit } from '../support/scripted-agents';

describe('change safety on a Supabase project through the Slack gates', () => {
  let h: Harness;
  let project: SupabaseProject;
  let api: FakeSupabaseApi;

  beforeEach(async () => {
    project = await startSupabaseProject();
    ({ api } = project);
  });

  afterEach(async () => {
    await h?.close();
    await project.close();
  });

  it(
    'deploys an Edge Function on the branch, hands its logs to the backend-engineer when a call fails, deploys the fixed one ' +
      'to production after approval and deletes it on rollback',
    async () => {
      h = await Harness.start({
        env: {
          SUPABASE_ACCESS_TOKEN: api.accessToken,
          SUPABASE_PROJECT_REF: api.projectRef,
          SUPABASE_API_URL: api.baseUrl,
          SUPABASE_PROJECT_URL: `${api.baseUrl}/{ref}`,
        },
        runtime: { supabasePollIntervalMs: 10 },
      });
      const fn = (code: string) => ({
        path: 'supabase/functions/track-progress/index.ts',
        kind: 'typescript',
        content: code,
      });
      const shared = {
        path: 'supabase/functions/_shared/cors.ts',
        kind: 'typescript',
        content: 'export const cors = {};\n',
      };
      const function_checks = [{ name: 'records a lesson', function: 'track-progress', body: { lesson: 3 } }];
      api.functions.onInvoke = (_ref, deployed, body) =>
        deployed.files['supabase/functions/track-progress/index.ts']!.includes('req.json()') &&
        (body as { lesson?: number }).lesson === 3
          ? { status: 200, body: { recorded: 3 } }
          : { status: 500, body: { error: 'TypeError: Cannot read properties of undefined (reading "lesson")' } };
      api.onLogs = (ref) =>
        ref === api.projectRef
          ? []
          : [
              {
                timestamp: 1796065853000000,
                event_message: 'TypeError: Cannot read properties of undefined (reading "lesson") at index.ts:3',
              },
            ];
      h.claude.script('api-designer', [submit('api-designer')]);
      h.claude.script('backend-engineer', [
        submit('backend-engineer', {
          artifacts: [fn('Deno.serve((req) => Response.json({ recorded: req.body.lesson }));\n'), shared],
          function_checks,
        }),
        (request) => {
          expect(JSON.stringify(request.body.messages)).toContain('(reading \\"lesson\\") at index.ts:3');
          return {
            toolUse: {
              name: 'submit_handoff',
              input: {
                ...HANDOFFS['backend-engineer'],
                artifacts: [
                  fn('Deno.serve(async (req) => Response.json({ recorded: (await req.json()).lesson }));\n'),
                  shared,
                ],
                function_checks,
              },
            },
          };
        },
      ]);
      h.claude.script('devops-engineer', [submit('devops-engineer')]);
      await h.command('Deploy a new Edge Function to track lesson progress');
      const root = await h.root();
      await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);

      const security = await h.openGate(root, 'Security');
      const step = await h.waitForInThread(root, /Invoking backend-engineer/);
      expect(step.history.map((v) => textOf(v)).join('\n')).toContain('trying once more with the error in hand');
      expect(textOf(security)).toMatch(/Deployed track-progress — version 2 on infra-wf-1, 2 file\(s\)/);
      expect(textOf(security)).toMatch(/Call: records a lesson — track-progress → HTTP 200/);
      const branch = api.branchNamed('infra-wf-1')!;
      expect(api.functions.invocations.slice(0, 2).map((i) => [i.ref, i.status])).toEqual([
        [branch.project_ref, 500],
        [branch.project_ref, 200],
      ]);
      expect(api.functions.deployed.get(api.projectRef)).toBeUndefined();
      await h.click(security, 'approve', APPROVER);
      const smoke = await h.openGate(root, 'Smoke Test');
      expect(textOf(smoke)).toContain('Backup point — Supabase physical backup of 2026-11-30T03:00:00.000Z');
      expect(textOf(smoke)).toMatch(
        /:white_check_mark: Smoke: records a lesson — track-progress → HTTP 200: \{"recorded":3\}/,
      );
      await h.click(smoke, 'approve', APPROVER);

      const merged = await h.waitForInThread(root, /Merged to production/);
      expect(textOf(merged)).toContain('Edge Function `track-progress` (version 1)');
      const live = api.functions.deployed.get(api.projectRef)!;
      expect(live.map((f) => f.slug)).toEqual(['track-progress']);
      expect(live[0]!.files['supabase/functions/track-progress/index.ts']).toContain('await req.json()');
      expect(Object.keys(live[0]!.files)).toContain('supabase/functions/_shared/cors.ts');
      await h.waitForState('succeeded');

      const report = await h.waitForInThread(root, /Workflow complete/);
      expect(JSON.stringify(report.blocks)).toContain('Edge Function track-progress');
      await h.clickButton(report, 'workflow_rollback_production', APPROVER);
      await h.waitForInThread(root, /Rolled back by .* undid the Edge Function track-progress on production/);
      expect(api.functions.deployed.get(api.projectRef)).toEqual([]);
      expect(api.unexpected).toEqual([]);
    },
  );

  it('stops the workflow with the function logs in the thread when the Edge Function still fails after one retry', async () => {
    h = await Harness.start({
      env: {
        SUPABASE_ACCESS_TOKEN: api.accessToken,
        SUPABASE_PROJECT_REF: api.projectRef,
        SUPABASE_API_URL: api.baseUrl,
        SUPABASE_PROJECT_URL: `${api.baseUrl}/{ref}`,
      },
      runtime: { supabasePollIntervalMs: 10 },
    });
    const broken = submit('backend-engineer', {
      artifacts: [
        {
          path: 'supabase/functions/track-progress/index.ts',
          kind: 'typescript',
          content: 'Deno.serve(() => { throw new Error("boom"); });\n',
        },
      ],
      function_checks: [{ name: 'records a lesson', function: 'track-progress', body: { lesson: 3 } }],
    });
    api.functions.onInvoke = () => ({ status: 500, body: { error: 'boom' } });
    api.onLogs = () => [{ timestamp: 1796065853000000, event_message: 'Error: boom at index.ts:1' }];
    h.claude.script('api-designer', [submit('api-designer')]);
    h.claude.script('backend-engineer', [broken, broken]);
    await h.command('Deploy a new Edge Function to track lesson progress');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    await h.waitForState('failed');
    const step = await h.waitForInThread(root, /Invoking backend-engineer/);
    expect(textOf(step)).toContain('records a lesson (track-progress → HTTP 500');
    expect(textOf(step)).toContain('Error: boom at index.ts:1');
    expect(textOf(step)).toContain('nothing was merged');
    expect(api.functions.deployed.get(api.projectRef)).toBeUndefined();
  });
});
