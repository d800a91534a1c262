import { spawn } from "node:child_process";
import { constants } from "node:os";
import path from "node:path";

const RELAUNCHED_ENV = "GRADELINE_OUTSIDE_TSX_CLI";
/** A repeat of a stop signal sooner than this is the same request (a terminal's Ctrl-C and npm's forwarding both deliver it). */
export const REPEATED_SIGNAL_WINDOW_MS = 1_000;
/** Preload for a child that must stop itself (SIGTERM) when the parent relaying its signals dies. */
export const STOP_WHEN_PARENT_EXITS = path.join(import.meta.dirname, "stop-when-parent-exits.mjs");

/** True in a process started by the `tsx` CLI, which loads its preflight before our code. */
export function isUnderTsxCli(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.some((arg) => /[\\/]tsx[\\/]dist[\\/]preflight\.c?js$/.test(arg));
}

/**
 * The `tsx` CLI relays SIGINT/SIGTERM to its child and SIGKILLs the child unless the
 * child's event loop acknowledges within 30 ms (tsx 4.x, `relaySignalToChild`): a worker
 * busy for 100 ms died in 83 ms, its jobs left to lease expiry (#7). So under the tsx CLI
 * this process stays a thin, idle relay: it re-runs the script as `node --import tsx` in a
 * process group of its own (a terminal's Ctrl-C reaches it once, through us), forwards
 * SIGINT and SIGTERM (a terminal's SIGHUP as SIGTERM), and resolves with the child's exit
 * code. The child stops itself if this relay disappears (see stop-when-parent-exits.mjs).
 *
 * Returns null when there is nothing to do (not under the tsx CLI, or already the child):
 * the caller then runs its own main().
 */
export async function runOutsideTsxCli(scriptPath: string): Promise<number | null> {
  if (!isUnderTsxCli() || process.env[RELAUNCHED_ENV] === "1") return null;
  const child = spawn(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), "--import", STOP_WHEN_PARENT_EXITS, scriptPath, ...process.argv.slice(2)],
    {
      stdio: ["inherit", "inherit", "inherit", "ipc"],
      env: { ...process.env, [RELAUNCHED_ENV]: "1" },
      detached: true,
    },
  );
  const relay = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal === "SIGHUP" ? "SIGTERM" : signal);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, relay);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}
