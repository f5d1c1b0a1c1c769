import type { PreflightCheck, PreflightResult } from '../../domain/preflight';
import type { Workflow } from '../../domain/records';

/** Runs every check; a check that throws is a failed result saying why, not a crashed plan job. */
export async function runPreflight(checks: PreflightCheck[], workflow: Workflow): Promise<PreflightResult[]> {
  const results = await Promise.all(
    checks.map((c) =>
      c.run(workflow).catch(
        (error: unknown): PreflightResult => ({
          name: c.name,
          ok: false,
          detail: `could not be checked: ${(error as Error).message}`,
        }),
      ),
    ),
  );
  return results.flat();
}
