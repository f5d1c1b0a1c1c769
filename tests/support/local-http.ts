/** Moved to src/workspace, where the demo's workspace uses it too. */
export * from '../../src/workspace/local-http';
