/**
 * Worker processes for the queue benchmark. Each child is a single Node process
 * (`node --import tsx script.ts`, not the `tsx` CLI, which would put a second process
 * between us and the worker: a SIGKILL must hit the worker itself). Each runs in a
 * process group of its own, and every child still alive when the benchmark exits —
 * normally, on an exception, or on SIGINT/SIGTERM/SIGHUP — is SIGKILLed with its group.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const live = new Set<WorkerProcess>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // 'exit' handlers must be synchronous: process.kill is.
  process.on("exit", () => {
    for (const child of live) child.killNow();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, killing worker processes\n`);
      process.exit(130);
    });
  }
}

export interface WorkerProcess {
  readonly label: string;
  readonly pid: number;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  readonly hasExited: boolean;
  /** Resolves with the first stdout/stderr line (so far or to come) matching `pattern`; rejects if the process exits first or on timeout. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGKILL to this process only (not its group): a crash, as the benchmark means it. */
  crash(): void;
  /** SIGTERM, then SIGKILL to the group if it has not exited within graceMs. */
  stop(graceMs?: number): Promise<void>;
  /** Synchronous SIGKILL to the whole group; for exit paths. */
  killNow(): void;
}

export interface SpawnWorkerOptions {
  label: string;
  script: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  /** Called for every line the child writes to stderr (progress forwarding). */
  onStderrLine?: (line: string) => void;
  /** Give the child a stdin pipe that closes when this process dies, however it dies (for children that watch it). */
  stdinLifeline?: boolean;
}

export function spawnWorker(options: SpawnWorkerOptions): WorkerProcess {
  installExitHooks();
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", options.script, ...(options.args ?? [])], {
    cwd: projectRoot,
    env: options.env,
    stdio: [options.stdinLifeline ? "pipe" : "ignore", "pipe", "pipe"],
    detached: true, // own process group, so killNow() takes any grandchild with it
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${options.script}`);
  const pid = child.pid;

  let hasExited = false;
  const lineWaiters = new Set<{ pattern: RegExp; resolve: (match: RegExpMatchArray) => void }>();
  // Every line so far (bounded), so that a line printed before waitForLine() is asked for is still found.
  const lines: string[] = [];
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > 5_000) lines.shift();
    for (const waiter of lineWaiters) {
      const match = line.match(waiter.pattern);
      if (match) {
        lineWaiters.delete(waiter);
        waiter.resolve(match);
      }
    }
  };
  createInterface({ input: child.stdout! }).on("line", onLine);
  createInterface({ input: child.stderr! }).on("line", (line) => {
    onLine(line);
    options.onStderrLine?.(line);
  });

  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      hasExited = true;
      live.delete(handle);
      resolve(code ?? signal ?? "unknown");
    });
  });

  const handle: WorkerProcess = {
    label: options.label,
    pid,
    exited,
    get hasExited() {
      return hasExited;
    },
    waitForLine(pattern, timeoutMs) {
      for (const line of lines) {
        const match = line.match(pattern);
        if (match) return Promise.resolve(match);
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (match: RegExpMatchArray) => {
            clearTimeout(timer);
            resolve(match);
          },
        };
        const fail = (why: string) => {
          if (!lineWaiters.delete(waiter)) return;
          clearTimeout(timer);
          reject(
            new Error(
              `${options.label} (pid ${pid}) ${why} before printing ${pattern}; its last lines:\n  ${lines.slice(-20).join("\n  ")}`,
            ),
          );
        };
        const timer = setTimeout(() => fail(`took more than ${timeoutMs} ms`), timeoutMs);
        lineWaiters.add(waiter);
        void exited.then((code) => fail(`exited (${code})`));
      });
    },
    crash() {
      if (!hasExited) process.kill(pid, "SIGKILL");
    },
    async stop(graceMs = 5_000) {
      if (hasExited) return;
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => handle.killNow(), graceMs);
      await exited;
      clearTimeout(timer);
      handle.killNow(); // anything left in its group
    },
    killNow() {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    },
  };
  live.add(handle);
  return handle;
}
