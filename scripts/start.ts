/**
 * `npm start`: the whole app on one machine. Starts the embedded PostgreSQL (or uses
 * DATABASE_URL), applies migrations to the embedded database, builds the app if it
 * has not been built, then runs `next start` and a queue worker side by side.
 *
 *   --dev         next dev instead of a production build
 *   --rebuild     build even if a build exists
 *   --no-worker   only the web app (the enqueuing request and cron still drain)
 *   PORT=3000     the port to serve on
 *
 * Ctrl-C or SIGTERM stops both parts cleanly and exits 0. The parts run in process groups
 * of their own, so each gets the signal exactly once, from here (a terminal's Ctrl-C used
 * to reach the worker twice, and the second meant "exit now"); npm forwarding the same
 * signal again within a second is ignored, a later one is passed on ("now").
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { prepareDatabase } from "../lib/db/prepare-database";
import { webEnv } from "../lib/env";
import { REPEATED_SIGNAL_WINDOW_MS, STOP_WHEN_PARENT_EXITS } from "./signal-relay";

const root = path.resolve(import.meta.dirname, "..");
const nextBin = path.join(root, "node_modules/next/dist/bin/next");
/** After a stop request, parts still running this long (past the worker's 20 s grace) are killed. */
const STOP_DEADLINE_MS = 30_000;
const args = new Set(process.argv.slice(2));
const dev = args.has("--dev");

interface Part {
  name: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * A part in a process group of its own (detached), so it gets a stop signal only from us.
 * With an IPC channel and stop-when-parent-exits.mjs preloaded: if we are killed and can no
 * longer relay signals, it stops itself instead of running on, orphaned, on its port.
 */
function runPart(name: string, nodeArgs: string[], env: NodeJS.ProcessEnv): Part {
  const child = spawn(process.execPath, ["--import", STOP_WHEN_PARENT_EXITS, ...nodeArgs], {
    cwd: root,
    env,
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    detached: true,
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { name, child, exited };
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function main(): Promise<number> {
  const port = String(webEnv().PORT);
  process.stderr.write("Preparing the database…\n");
  const databaseUrl = await prepareDatabase();
  const env = { ...process.env, DATABASE_URL: databaseUrl, PORT: port };
  process.stderr.write(`Database ready: ${databaseUrl.replace(/:[^:@/]+@/, ":***@")}\n`);

  if (!dev && (args.has("--rebuild") || !existsSync(path.join(root, ".next/BUILD_ID")))) {
    process.stderr.write("Building the app (first start only; `npm start -- --rebuild` to rebuild)…\n");
    // In our process group: a Ctrl-C during the build stops it with us.
    const build = spawn(process.execPath, [nextBin, "build"], { cwd: root, env: { ...env, NODE_ENV: "production" }, stdio: "inherit" });
    const code = await new Promise<number | null>((resolve) => build.once("exit", resolve));
    if (code !== 0) return code ?? 1;
  }

  const parts: Part[] = [runPart("web", [nextBin, dev ? "dev" : "start", "-p", port], env)];
  if (!args.has("--no-worker")) {
    parts.push(runPart("worker", ["--import", "tsx", "scripts/process-grading-jobs.ts"], env));
  }

  let stopRequestedAt: number | null = null;
  let stopSignal: NodeJS.Signals | null = null;
  let killedAtDeadline = false;
  const stopAll = (signal: NodeJS.Signals) => {
    for (const { child } of parts) if (isRunning(child)) child.kill(signal);
  };
  const onSignal = (received: NodeJS.Signals) => {
    // SIGHUP (the terminal closed) is passed on as SIGTERM: both parts stop cleanly on that.
    const signal = received === "SIGHUP" ? "SIGTERM" : received;
    const now = Date.now();
    if (stopRequestedAt !== null && now - stopRequestedAt < REPEATED_SIGNAL_WINDOW_MS) return;
    if (stopRequestedAt === null) {
      process.stderr.write(`${received}: stopping the web app and the worker…\n`);
      // A part that outlives its own grace (the worker's is 20 s) is ended.
      setTimeout(() => {
        const stuck = parts.filter(({ child }) => isRunning(child));
        if (stuck.length === 0) return;
        process.stderr.write(
          `start: ${stuck.map((part) => part.name).join(" and ")} still running ${STOP_DEADLINE_MS / 1000} s after the stop request; killing.\n`,
        );
        killedAtDeadline = true;
        for (const { child } of stuck) child.kill("SIGKILL");
      }, STOP_DEADLINE_MS).unref();
    }
    stopRequestedAt ??= now;
    stopSignal ??= signal;
    stopAll(signal);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);

  // When one part stops by itself, stop the other: a half-running app is worse than none.
  const first = await Promise.race(parts.map(async (part) => ({ part, ...(await part.exited) })));
  const stoppedByUs = stopRequestedAt !== null;
  if (!stoppedByUs) {
    process.stderr.write(`start: the ${first.part.name} stopped (${first.signal ?? `exit ${first.code}`}); stopping the rest.\n`);
    stopAll("SIGTERM");
  }
  const results = await Promise.all(parts.map((part) => part.exited));
  if (!stoppedByUs) return first.code || 1;
  // Asked to stop: a part that exited 0, or 128 + the signal's number (next start exits 130
  // on SIGINT), stopped as asked. One the signal killed outright did not clean up.
  const askedCode = 128 + constants.signals[stopSignal ?? "SIGTERM"];
  const stoppedAsAsked = ({ code }: { code: number | null }) => code === 0 || code === askedCode;
  return !killedAtDeadline && results.every(stoppedAsAsked) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`start: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
