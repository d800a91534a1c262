import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

/** Runs a command to its end and returns its exit code and everything it printed. */
function runToExit(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("a bad setting stops a server process when it starts, with a sentence (#8)", () => {
  const bad = { GRADING_CONCURRENCY: "eight", DATABASE_URL: "postgres://nobody@127.0.0.1:9/none" };

  it("next start refuses to start, naming the variable", async () => {
    const { code, output } = await runToExit(
      [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", "0", "-H", "127.0.0.1"],
      bad,
    );
    expect(code).toBe(1);
    expect(output).toContain("GRADING_CONCURRENCY must be a whole number above 0; not starting.");
  });

  it("the worker exits 2 before touching the database", async () => {
    const { code, output } = await runToExit(["--import", "tsx", "scripts/process-grading-jobs.ts", "--once"], bad);
    expect(code).toBe(2);
    expect(output).toContain("process-grading-jobs: GRADING_CONCURRENCY must be a whole number above 0");
  });

  it("npm start refuses a bad setting once, instead of restarting both parts forever", async () => {
    const { code, output } = await runToExit(["--import", "tsx", "scripts/start.ts"], { ...bad, RETENTION_DAYS: "soon" });
    expect(code).toBe(1);
    expect(output).toContain("start: GRADING_CONCURRENCY must be a whole number above 0");
    expect(output).not.toContain("restarting");
  });
});
