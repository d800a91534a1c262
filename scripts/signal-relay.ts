import { spawn } from "node:child_process";
import { constants } from "node:os";

const RELAUNCHED_ENV = "GRADELINE_OUTSIDE_TSX_CLI";
const RELAYED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

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
 * every signal, and resolves with the child's exit code. The child shuts itself down if
 * this relay disappears (IPC disconnect), so a SIGKILLed relay orphans nothing for long.
 *
 * Returns null when there is nothing to do (not under the tsx CLI, or already the child):
 * the caller then runs its own main().
 */
export async function runOutsideTsxCli(scriptPath: string): Promise<number | null> {
  if (!isUnderTsxCli() || process.env[RELAUNCHED_ENV] === "1") return null;
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), scriptPath, ...process.argv.slice(2)], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, [RELAUNCHED_ENV]: "1" },
    detached: true,
  });
  const relay = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of RELAYED_SIGNALS) process.on(signal, relay);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/**
 * In a child whose parent relays signals to it over its own process group (the tsx-CLI
 * relay above, or `npm start`): calls `onOrphaned` when that parent is gone, since nobody
 * else can signal us then. Does nothing without an IPC channel to the parent.
 */
export function watchSupervisor(onOrphaned: () => void): void {
  if (!process.connected) return;
  process.once("disconnect", onOrphaned);
  // The IPC channel must not keep the worker alive once it has finished.
  process.channel?.unref();
}
