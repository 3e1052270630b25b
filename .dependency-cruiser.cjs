/**
 * Import cycles, type-only imports included (`npm run lint`). dependency-cruiser rather than an ESLint rule:
 * eslint-plugin-import(-x)'s `no-cycle` skips `import type`, and a type-only cycle still ties two modules
 * together (neither can move or be read on its own). Layer boundaries are ESLint's (eslint.config.js).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Break the cycle: move the shared type or function into a module both sides import (for a port, shared/ports or a types file).',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Keep imports TypeScript erases (`import type`, unused value imports) in the graph.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|dist-package|\\.autopilot|coverage|test-artifacts|examples/tabular/azure/code)/' },
  },
};
