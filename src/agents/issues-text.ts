import type { z } from 'zod';

/** zod issues on one line, each as `path: message`, for error messages people read. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
