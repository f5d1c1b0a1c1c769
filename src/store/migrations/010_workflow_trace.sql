-- Traces: the W3C traceparent of the workflow's root span, so every job of the workflow, whichever
-- process enqueues it (a click in the web role, the worker, the reconciler), joins one trace.
ALTER TABLE workflows ADD COLUMN trace_parent text;
