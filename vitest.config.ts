import { defineConfig } from "vitest/config";

// tests/harness points a run at one fixture file to prove that a failing test fails the run (#7).
const harnessFixture = process.env.GRADELINE_HARNESS_UNIT_FIXTURE;

export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    globalSetup: ["tests/setup/global-setup.ts"],
    include: harnessFixture ? [harnessFixture] : ["tests/**/*.test.ts"],
    exclude: ["tests/e2e/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test files share one Postgres server; two at a time keeps a 2-core machine responsive.
    maxWorkers: 2,
    pool: "forks",
  },
});
