import { defineConfig } from "vitest/config";

// Browser tests: headless Debian Chromium driving `next start` on the embedded database.
// tests/harness points a run at one fixture file to prove that a failing test fails the run (#7).
const harnessFixture = process.env.GRADELINE_HARNESS_E2E_FIXTURE;

export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    globalSetup: ["tests/setup/global-setup.ts"],
    include: harnessFixture ? [harnessFixture] : ["tests/e2e/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One browser and one app at a time: a 2-core machine, and timing-sensitive partial states.
    fileParallelism: false,
    pool: "forks",
  },
});
