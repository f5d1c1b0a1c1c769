import { z } from 'zod';

export const gateKindSchema = z.enum(['api_review', 'branch_test', 'security', 'ci_review', 'smoke_test']);
export type GateKind = z.infer<typeof gateKindSchema>;

export interface GateInfo {
  /** The orchestrator's stage column. */
  stage: string;
  /** The orchestrator's gate column, shown as the gate's title. */
  title: string;
  /** The orchestrator's criteria column, shown to the approver. */
  criteria: string;
  /** True for the gate whose approval deploys or merges to production. */
  merges: boolean;
}

/** The orchestrator's quality gates table, plus the CI Review gate that CI files pass before they reach GitHub. */
export const GATES: Record<GateKind, GateInfo> = {
  api_review: { stage: 'Design', title: 'API Review', criteria: 'Types defined, contracts clear', merges: false },
  branch_test: {
    stage: 'Migration',
    title: 'Branch Test',
    criteria: 'Migration runs successfully on branch',
    merges: false,
  },
  security: { stage: 'Implementation', title: 'Security', criteria: 'RLS policies pass audit', merges: false },
  ci_review: {
    stage: 'CI/CD',
    title: 'CI Review',
    criteria:
      'Every proposed workflow file read; its secrets, triggers, permissions and outside calls accepted before it goes to GitHub',
    merges: false,
  },
  smoke_test: { stage: 'Deployment', title: 'Smoke Test', criteria: 'Core functionality works', merges: true },
};
