import type { PreflightCheck } from '../../domain/preflight';

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
          detail:
            `${label} does not answer (${(error as Error).message}); check TARGET_DATABASE_URL and that ` +
            `the server is up, then start the request again`,
        };
      }
    },
  };
}
