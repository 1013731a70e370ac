/** Tests are TypeScript transformed by @swc/jest (no compiler API: TypeScript 7 type-checks in `npm run build`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/specs'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // The public import paths, as a user of the package sees them (built by `pretest`).
  moduleNameMapper: {
    '^hypsim$': '<rootDir>/dist/index.js',
    '^hypsim/jest$': '<rootDir>/dist/jest/index.js',
  },
  testTimeout: 60000,
  // Two cores: the suites are CPU-bound and independent (each starts its own servers on free ports).
  maxWorkers: 2,
};
