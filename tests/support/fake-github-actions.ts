/** The fake GitHub's Actions: runs a push started (scripted by the test) and their jobs. */
/** A job of a scripted Actions run: its conclusion and the log GitHub would serve for it. */
export interface FakeJob {
  name: string;
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped';
  log: string;
}

/** What a push starts: one run per entry, each completing after `readsUntilDone` reads of the runs. */
export interface FakeRunScript {
  name: string;
  jobs: FakeJob[];
  readsUntilDone?: number;
}

export interface FakeRun {
  id: number;
  name: string;
  branch: string;
  head_sha: string;
  readsLeft: number;
  jobs: Array<FakeJob & { id: number }>;
}

/** GET /actions/runs?branch=&head_sha= and GET /actions/runs/{id}/jobs. */
export function actionsAnswer(
  runs: FakeRun[],
  repository: string,
  method: string,
  path: string,
  q: URLSearchParams,
): { status: number; body?: unknown } | undefined {
  if (method === 'GET' && path === '/actions/runs') {
    const found = runs.filter((r) => r.branch === q.get('branch') && r.head_sha === q.get('head_sha'));
    return {
      status: 200,
      body: { total_count: found.length, workflow_runs: found.map((r) => wireRun(r, repository)) },
    };
  }
  const jobs = /^\/actions\/runs\/(\d+)\/jobs$/.exec(path);
  if (method === 'GET' && jobs) {
    const run = runs.find((r) => r.id === Number(jobs[1]));
    if (!run) return { status: 404, body: { message: 'Not Found' } };
    return {
      status: 200,
      body: {
        total_count: run.jobs.length,
        jobs: run.jobs.map((j) => ({
          id: j.id,
          name: j.name,
          status: 'completed',
          conclusion: j.conclusion,
          html_url: `https://github.com/${repository}/actions/runs/${run.id}/job/${j.id}`,
        })),
      },
    };
  }
  return undefined;
}

/** A read moves an unfinished run one step towards completion. */
function wireRun(r: FakeRun, repository: string): Record<string, unknown> {
  if (r.readsLeft > 0) r.readsLeft -= 1;
  const done = r.readsLeft === 0;
  const conclusion = r.jobs.some((j) => j.conclusion === 'failure') ? 'failure' : 'success';
  return {
    id: r.id,
    name: r.name,
    head_branch: r.branch,
    head_sha: r.head_sha,
    status: done ? 'completed' : 'in_progress',
    conclusion: done ? conclusion : null,
    html_url: `https://github.com/${repository}/actions/runs/${r.id}`,
  };
}
