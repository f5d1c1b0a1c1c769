import type { PreflightResult } from '../../slack/views/plan-message';
import type { Workflow } from '../../domain/records';

/** The seed's pre-flight checks ("environment available", …); the target lock is the engine's own. */
export interface PreflightCheck {
  name: string;
  run(workflow: Workflow): Promise<PreflightResult | PreflightResult[]>;
}

/** Checks that the target database answers, within a few seconds. */
export function targetDatabaseCheck(ping: () => Promise<void>, label: string): PreflightCheck {
  return {
    name: 'Development environment available',
    async run() {
      try {
        await ping();
        return { name: this.name, ok: true, detail: `${label} answers` };
      } catch (error) {
        return {
          name: this.name,
          ok: false,
          detail: `${label} does not answer (${(error as Error).message}); check TARGET_DATABASE_URL and that the server is up, then start the request again`,
        };
      }
    },
  };
}

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
