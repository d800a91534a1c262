import { spawn, type ChildProcess } from "node:child_process";
import { afterAll } from "vitest";

export interface GroupProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` to every process in the group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void;
}

/**
 * Spawns a command in a process group of its own (detached), capturing its output, and
 * SIGKILLs the whole group after the file's tests if it is still running.
 */
export function processGroupsKilledAfterAll(defaults: { cwd: string }) {
  const started: GroupProcess[] = [];
  afterAll(() => {
    for (const { child, signalGroup } of started) {
      if (child.exitCode === null && child.signalCode === null) signalGroup("SIGKILL");
    }
  });

  return function spawnGroup(command: string, args: string[], env: NodeJS.ProcessEnv): GroupProcess {
    const child = spawn(command, args, { cwd: defaults.cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // the group is gone already
      }
    };
    const processGroup = { child, output: () => output, exited, signalGroup };
    started.push(processGroup);
    return processGroup;
  };
}
