/** Unit tests of the core are fast and do no I/O; integration tests start Azurite and the host. */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
module.exports = {
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform, testEnvironment: 'node' },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      transform,
      testEnvironment: 'node',
      slowTestThreshold: 60,
      setupFilesAfterEnv: ['<rootDir>/test/integration/setupTimeout.ts'],
    },
    // Fault injection on the whole stack: a few trials in `npm test`, many in `npm run test:chaos`.
    {
      displayName: 'chaos',
      testMatch: ['<rootDir>/test/chaos/**/*.test.ts'],
      transform,
      testEnvironment: 'node',
      slowTestThreshold: 300,
      setupFilesAfterEnv: ['<rootDir>/test/integration/setupTimeout.ts'],
    },
  ],
  testTimeout: 30000,
};
