import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const PASSES = "tests/harness/fixtures/passes.fixture.ts";
const FAILS = "tests/harness/fixtures/fails.fixture.ts";

interface Run {
  code: number | null;
  output: string;
}

/**
 * The environment a user's run starts with: ours, less what vitest sets for its own workers
 * (VITEST_*, NODE_ENV=test). The outer run already built the app; the fixtures need no browser.
 */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", SKIP_NEXT_BUILD: "1", NO_COLOR: "1", FORCE_COLOR: "0", ...extra };
  for (const name of Object.keys(env)) if (name.startsWith("VITEST") || name === "NODE_ENV") Reflect.deleteProperty(env, name);
  return env;
}

/** Runs a command in the project as CI would (no terminal), with the harness fixtures chosen by env. */
function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: userEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, output }));
  });
}

const vitest = (config: string, env: Record<string, string>) =>
  run(process.execPath, [path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--config", config], env);

// The project's own configs, global setup and all: a dependency's exit hook in that setup
// once turned every failed run into exit 0, and failing code landed (#7).
describe("a failing test fails the run", () => {
  it("vitest with the project's config exits 1 when a test fails, and 0 when it passes (#7)", async () => {
    const [failing, passing] = await Promise.all([
      vitest("vitest.config.ts", { GRADELINE_HARNESS_UNIT_FIXTURE: FAILS }),
      vitest("vitest.config.ts", { GRADELINE_HARNESS_UNIT_FIXTURE: PASSES }),
    ]);
    expect(failing.output).toMatch(/Tests\s+1 failed/);
    expect(failing.code, failing.output).toBe(1);
    expect(passing.output).toMatch(/Tests\s+1 passed/);
    expect(passing.code, passing.output).toBe(0);
  }, 180_000);

  it("vitest with the browser config exits 1 when a test fails (#7)", async () => {
    const failing = await vitest("vitest.e2e.config.ts", { GRADELINE_HARNESS_E2E_FIXTURE: FAILS });
    expect(failing.output).toMatch(/Tests\s+1 failed/);
    expect(failing.code, failing.output).toBe(1);
  }, 180_000);

  it(".ci/run's test step exits non-zero when a test fails, in the first suite or in the last (#7)", async () => {
    const ci = (env: Record<string, string>) => run("bash", [".ci/run"], { GRADELINE_CI_SKIP_INSTALL: "1", ...env });
    const [unitFails, e2eFails] = await Promise.all([
      ci({ GRADELINE_HARNESS_UNIT_FIXTURE: FAILS, GRADELINE_HARNESS_E2E_FIXTURE: PASSES }),
      ci({ GRADELINE_HARNESS_UNIT_FIXTURE: PASSES, GRADELINE_HARNESS_E2E_FIXTURE: FAILS }),
    ]);
    expect(unitFails.output).toMatch(/Tests\s+1 failed/);
    expect(unitFails.code, unitFails.output).not.toBe(0);
    // The unit suite passed and the chain went on to the browser suite, whose failure counts.
    expect(e2eFails.output).toMatch(/Tests\s+1 passed[\s\S]*Tests\s+1 failed/);
    expect(e2eFails.code, e2eFails.output).not.toBe(0);
  }, 300_000);

  it("npm test fails on a failing test even when something in vitest's process forces exit 0 (#7)", async () => {
    const hook = path.join(root, "tests/harness/fixtures/exit-zero-hook.mjs");
    const forced = await run("npm", ["test"], { GRADELINE_HARNESS_UNIT_FIXTURE: FAILS, NODE_OPTIONS: `--import ${hook}` });
    expect(forced.output).toMatch(/exited 0 but its report says 1 failed/);
    expect(forced.output).toMatch(/^tests: 0 passed, 1 failed/m);
    expect(forced.code, forced.output).toBe(1);
  }, 300_000);
});
