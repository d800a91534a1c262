import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../../..");

export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The real worker CLI (scripts/process-grading-jobs.ts) against the given environment. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/process-grading-jobs.ts", "--concurrency", env.WORKER_CONCURRENCY ?? "2"],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const output: string[] = [];
  child.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  // Ready once it prints its headline ("worker … Ctrl-C to stop").
  const deadline = Date.now() + 30_000;
  while (!output.join("").includes("Ctrl-C to stop")) {
    if (child.exitCode !== null) throw new Error(`worker exited early (${child.exitCode}):\n${output.join("")}`);
    if (Date.now() > deadline) throw new Error(`worker did not start in 30 s:\n${output.join("")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      await exited;
    },
  };
}
