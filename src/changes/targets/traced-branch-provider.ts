import { SpanKind, trace } from '@opentelemetry/api';
import { inSpan, TRACER_NAME } from '../../domain/telemetry';
import type { BranchProvider } from './branch-provider';

const tracer = trace.getTracer(TRACER_NAME);

/**
 * The provider with every statement run on a branch recorded as a client span `sql <branch>` in the
 * current trace (the step's): which branch, read-only or not, how much SQL and how many rows. The SQL
 * text is left out of the span: it is the model's, and it is in the workflow's records already.
 */
export function tracedBranchProvider(inner: BranchProvider): BranchProvider {
  return {
    kind: inner.kind,
    createBranch: (workflowId) => inner.createBranch(workflowId),
    getBranch: (workflowId) => inner.getBranch(workflowId),
    listBranches: () => inner.listBranches(),
    deleteBranch: (workflowId) => inner.deleteBranch(workflowId),
    runSql: (branch, sql, opts) => {
      const attributes = {
        'db.system.name': 'postgresql',
        'db.namespace': branch.name,
        'infra.provider': inner.kind,
        'infra.read_only': opts?.readOnly ?? false,
        'infra.sql_bytes': Buffer.byteLength(sql),
      };
      // The error's kind only: a driver's message may name a host the trace backend should not see.
      const options = { kind: SpanKind.CLIENT, attributes };
      return inSpan(
        tracer,
        `sql ${branch.name}`,
        options,
        async (span) => {
          const result = await inner.runSql(branch, sql, opts);
          span.setAttribute('db.response.returned_rows', result.rowCount);
          return result;
        },
        { hideError: true },
      );
    },
  };
}
