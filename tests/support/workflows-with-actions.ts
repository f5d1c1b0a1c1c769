import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * A copy of the repository's workflows with engine actions added to steps of one workflow (after the
 * step's own actions), for tests that inject checks or side effects. The caller removes the folder.
 */
export function workflowsWithActions(workflow: string, actions: Record<string, string[]>): string {
  const src = join(__dirname, '../../workflows');
  const dir = mkdtempSync(join(tmpdir(), 'workflows-'));
  for (const file of readdirSync(src)) {
    const doc = parse(readFileSync(join(src, file), 'utf8'));
    if (doc.name === workflow) {
      for (const step of doc.steps)
        if (actions[step.key]) step.actions = [...(step.actions ?? []), ...actions[step.key]!];
    }
    writeFileSync(join(dir, file), stringify(doc));
  }
  return dir;
}
