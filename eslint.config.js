// @ts-check
/**
 * The rules a machine checks (`npm run lint`, part of `npm test`). Most of it is the layering that keeps the core
 * pure: `shared/` is plain computation, `functions/` is thin, SDK clients live in `adapters/`. Import cycles are
 * checked by dependency-cruiser (.dependency-cruiser.cjs) because ESLint's cycle rules skip type-only imports.
 * Style rules are left to Prettier (.prettierrc); only recommended rules the tree already passes are on.
 * CommonJS, so test/unit/lint/boundaries.test.ts can require it (jest cannot import() an ES module config).
 */
const { builtinModules } = require('node:module');
const { defineConfig } = require('eslint/config');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

// Node built-ins that compute and touch nothing outside the process: the core may use these. Anything else
// (fs, net, http, child_process, worker_threads, os, process, ...) is I/O or host state and belongs in an adapter.
const PURE_NODE_MODULES = ['assert', 'buffer', 'crypto', 'events', 'path', 'path/posix', 'string_decoder', 'url', 'util'];

// Libraries the core may use: each parses or validates data in memory and does no I/O of its own
// (zod schemas, OpenAPI from zod, YAML and CSV parsing, Standard Webhooks signing). SDKs (@azure/*,
// @opentelemetry/*) and anything else are reached through ports implemented in adapters/.
const PURE_LIBRARIES = ['zod', 'zod-openapi', 'yaml', 'csv-parse', 'standardwebhooks'];

const escape = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const ioNodeModules = builtinModules.filter((name) => !name.startsWith('_') && !PURE_NODE_MODULES.includes(name));

/** @type {import('eslint').Linter.RulesRecord} */
const sharedBoundaries = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: `^(node:)?(${ioNodeModules.map(escape).join('|')})$`,
          message: 'shared/ is the pure core: no I/O modules. Put the I/O in an adapter behind a port (shared/ports.ts).',
        },
        {
          // Bare specifiers that are neither a Node built-in nor an allowed library.
          regex: `^(?!\\.|node:|(${[...PURE_LIBRARIES, ...builtinModules].map(escape).join('|')})(/|$))`,
          message: `shared/ is the pure core: no SDKs or other runtime libraries (allowed: ${PURE_LIBRARIES.join(', ')}). Reach them through a port implemented in adapters/.`,
        },
        {
          regex: '^\\.{1,2}/(\\.\\./)*(adapters|devhost|functions)(/|$)',
          message:
            'shared/ must not depend on adapters/, devhost/ or functions/: they depend on it. Move the shared part into shared/ or pass it in through a port.',
        },
      ],
    },
  ],
  // Only static imports, so the rule above sees every module the core loads.
  'no-restricted-syntax': [
    'error',
    { selector: 'ImportExpression', message: 'shared/ loads modules only by static import, so the boundary rule sees them.' },
    {
      selector: "CallExpression[callee.name='require']",
      message: 'shared/ loads modules only by static import, so the boundary rule sees them.',
    },
  ],
};

/** @type {import('eslint').Linter.RulesRecord} */
const functionsBoundaries = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: '^@azure/(?!functions$)',
          message:
            'functions/ handlers stay thin: no SDK clients here. Use a service from the composition root (adapters/), which owns the SDK clients.',
        },
      ],
    },
  ],
};

module.exports = defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'dist-package/**',
      '.autopilot/**',
      'coverage/**',
      'test-artifacts/**',
      'examples/tabular/azure/code/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore marks a value left out on purpose (`const { secret: _secret, ...rest } = x`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrors: 'none',
          ignoreRestSiblings: true,
        },
      ],
      // `let server; ... () => server.close(); server = start()`: a closure reads it before its one assignment.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // A CommonJS package: `require` is used on purpose (package.json's version, lazy loads, after jest.doMock).
      '@typescript-eslint/no-require-imports': 'off',
      // Names, blob names and table keys are checked for control characters on purpose, in seven places.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests and scripts read untyped JSON (ARM templates, REST specs, Event Grid payloads) with `any`.
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['shared/**/*.ts'], rules: sharedBoundaries },
  { files: ['functions/**/*.ts'], rules: functionsBoundaries },
);
