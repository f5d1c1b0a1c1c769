/**
 * The layering of src/ (docs/architecture.md draws it). Each folder may import only the folders listed
 * for it, which also rules out loops between folders. `npm test` runs this (npm run deps).
 */
const layer = (name, from, allowed) => ({
  name,
  comment: `${from} may import only: ${allowed.join(', ')}`,
  severity: 'error',
  from: { path: `^src/${from}` },
  to: { path: '^src/', pathNot: [`^src/${from}`, ...allowed.map((a) => `^src/${a}`)] },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import loops, between files or folders.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-dev',
      comment: 'The demo, the local Slack and the embedded Postgres are development tools, never part of the bot.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(dev|tests|bench)/' },
    },
    layer('domain-imports-nothing', 'domain/', []),
    layer('logger-imports-nothing', 'logger\\.ts', []),
    layer('config', 'config/', ['domain/', 'logger\\.ts']),
    layer('store', 'store/', ['domain/', 'logger\\.ts']),
    layer('views-import-only-domain', 'views/', ['domain/']),
    layer('engine-ports-import-only-domain', 'engine/ports/', ['domain/', 'logger\\.ts']),
    layer('engine', 'engine/', ['domain/', 'store/', 'logger\\.ts']),
    layer('changes', 'changes/', ['domain/', 'store/', 'config/', 'engine/ports/', 'logger\\.ts']),
    layer('agents', 'agents/', ['domain/', 'store/', 'config/', 'changes/', 'engine/ports/', 'logger\\.ts']),
    layer('metrics', 'metrics/', ['domain/', 'store/', 'views/', 'engine/ports/', 'engine/jobs/', 'logger\\.ts']),
    layer('api', 'api/', ['domain/', 'store/', 'engine/', 'config/', 'logger\\.ts']),
    layer('slack', 'slack/', ['domain/', 'store/', 'views/', 'engine/', 'metrics/', 'config/', 'logger\\.ts']),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '\\.test\\.ts$' },
  },
};
