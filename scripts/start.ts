/**
 * `npm start`: the whole app on one machine. Starts the embedded PostgreSQL (or uses
 * DATABASE_URL), applies migrations to the embedded database, builds the app if it
 * has not been built, then runs `next start` and a queue worker side by side.
 *
 *   --dev         next dev instead of a production build
 *   --rebuild     build even if a build exists
 *   --no-worker   only the web app (the enqueuing request and cron still drain)
 *   PORT=3000     the port to serve on
 *   HOST=…        the address to listen on: 127.0.0.1 (this computer only) unless set;
 *                 0.0.0.0 shares the app on the network (#9)
 *
 * A part that exits by itself (a crash, an out-of-memory kill) is started again after
 * 1 s, 2 s, 4 s … up to 30 s, the wait going back to 1 s once a run lasted a minute, with
 * one line saying so (#9): an app that stays up beats one that is half down.
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
import { checkServerEnv, exposureEnv, webEnv } from "../lib/env";
import { REPEATED_SIGNAL_WINDOW_MS, STOP_WHEN_PARENT_EXITS } from "./signal-relay";

const root = path.resolve(import.meta.dirname, "..");
const nextBin = path.join(root, "node_modules/next/dist/bin/next");
/** After a stop request, parts still running this long (past the worker's 20 s grace) are killed. */
const STOP_DEADLINE_MS = 30_000;
/** The first wait before a crashed part is started again; it doubles each time, up to the cap. */
const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A run at least this long was not a crash loop: the next wait starts from the first again. */
const STABLE_RUN_MS = 60_000;
const args = new Set(process.argv.slice(2));
const dev = args.has("--dev");

interface PartExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Part {
  child: ChildProcess;
  exited: Promise<PartExit>;
}

/** One part of the app, started again whenever it exits by itself, until the app is asked to stop. */
interface Supervised {
  /** As said in messages: "the web app", "the worker". */
  label: string;
  current: Part;
  /** The last run's exit once the part is stopped for good. */
  done: Promise<PartExit | null>;
}

/**
 * A part in a process group of its own (detached), so it gets a stop signal only from us.
 * With an IPC channel and stop-when-parent-exits.mjs preloaded: if we are killed and can no
 * longer relay signals, it stops itself instead of running on, orphaned, on its port.
 */
function runPart(nodeArgs: string[], env: NodeJS.ProcessEnv): Part {
  const child = spawn(process.execPath, ["--import", STOP_WHEN_PARENT_EXITS, ...nodeArgs], {
    cwd: root,
    env,
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    detached: true,
  });
  const exited = new Promise<PartExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { child, exited };
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** The wait before restart number `restarts` (0-based): 1 s, 2 s, 4 s … capped. */
function restartDelayMs(restarts: number): number {
  return Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** restarts);
}

/**
 * Runs a part and starts it again each time it exits by itself; resolves with its last exit
 * once `stopping` has resolved (null when it was waiting to restart at that moment).
 */
function supervise(label: string, start: () => Part, stopping: Promise<void>, isStopping: () => boolean): Supervised {
  const supervised: Supervised = { label, current: start(), done: Promise.resolve(null) };
  supervised.done = (async () => {
    let restarts = 0;
    for (;;) {
      const startedAt = Date.now();
      const exit = await supervised.current.exited;
      if (isStopping()) return exit;
      if (Date.now() - startedAt >= STABLE_RUN_MS) restarts = 0;
      const delayMs = restartDelayMs(restarts++);
      const how = exit.signal ?? `code ${exit.code}`;
      process.stderr.write(`start: ${label} exited (${how}); restarting in ${delayMs / 1000} s\n`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stopping, new Promise((resolve) => (timer = setTimeout(resolve, delayMs)))]);
      clearTimeout(timer);
      if (isStopping()) return null;
      supervised.current = start();
    }
  })();
  return supervised;
}

async function main(): Promise<number> {
  // A bad setting would make both parts die and be restarted forever: refuse it here, once.
  checkServerEnv();
  const port = String(webEnv().PORT);
  const host = exposureEnv().HOST;
  process.stderr.write("Preparing the database…\n");
  const databaseUrl = await prepareDatabase();
  const env = { ...process.env, DATABASE_URL: databaseUrl, PORT: port, HOST: host };
  process.stderr.write(`Database ready: ${databaseUrl.replace(/:[^:@/]+@/, ":***@")}\n`);

  if (!dev && (args.has("--rebuild") || !existsSync(path.join(root, ".next/BUILD_ID")))) {
    process.stderr.write("Building the app (first start only; `npm start -- --rebuild` to rebuild)…\n");
    // In our process group: a Ctrl-C during the build stops it with us.
    const build = spawn(process.execPath, [nextBin, "build"], { cwd: root, env: { ...env, NODE_ENV: "production" }, stdio: "inherit" });
    const code = await new Promise<number | null>((resolve) => build.once("exit", resolve));
    if (code !== 0) return code ?? 1;
  }

  process.stderr.write(
    host === "127.0.0.1" || host === "localhost" || host === "::1"
      ? `start: serving on ${host} only: this computer can open the app, others on the network cannot (HOST=0.0.0.0 shares it; see the README).\n`
      : `start: listening on ${host}: anyone who can reach this machine on port ${port} can open the app.\n`,
  );

  let stopRequestedAt: number | null = null;
  let stopSignal: NodeJS.Signals | null = null;
  let killedAtDeadline = false;
  let requestStop = () => {};
  const stopping = new Promise<void>((resolve) => (requestStop = resolve));
  const isStopping = () => stopRequestedAt !== null;

  const parts: Supervised[] = [
    supervise("the web app", () => runPart([nextBin, dev ? "dev" : "start", "-p", port, "-H", host], env), stopping, isStopping),
  ];
  if (!args.has("--no-worker")) {
    parts.push(supervise("the worker", () => runPart(["--import", "tsx", "scripts/process-grading-jobs.ts"], env), stopping, isStopping));
  }

  const running = () => parts.filter(({ current }) => isRunning(current.child));
  const onSignal = (received: NodeJS.Signals) => {
    // SIGHUP (the terminal closed) is passed on as SIGTERM: both parts stop cleanly on that.
    const signal = received === "SIGHUP" ? "SIGTERM" : received;
    const now = Date.now();
    if (stopRequestedAt !== null && now - stopRequestedAt < REPEATED_SIGNAL_WINDOW_MS) return;
    if (stopRequestedAt === null) {
      process.stderr.write(`${received}: stopping the web app and the worker…\n`);
      // A part that outlives its own grace (the worker's is 20 s) is ended.
      setTimeout(() => {
        const stuck = running();
        if (stuck.length === 0) return;
        process.stderr.write(
          `start: ${stuck.map((part) => part.label.replace(/^the /, "")).join(" and ")} still running ${STOP_DEADLINE_MS / 1000} s after the stop request; killing.\n`,
        );
        killedAtDeadline = true;
        for (const { current } of stuck) current.child.kill("SIGKILL");
      }, STOP_DEADLINE_MS).unref();
    }
    stopRequestedAt ??= now;
    stopSignal ??= signal;
    requestStop();
    for (const { current } of running()) current.child.kill(signal);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);

  // Only a stop request ends the supervision; until then a part that exits is started again.
  const results = await Promise.all(parts.map((part) => part.done));
  // Asked to stop: a part that exited 0, or 128 + the signal's number (next start exits 130
  // on SIGINT), stopped as asked; so did one waiting to restart (null). One the signal
  // killed outright did not clean up.
  const askedCode = 128 + constants.signals[stopSignal ?? "SIGTERM"];
  const stoppedAsAsked = (exit: PartExit | null) => exit === null || exit.code === 0 || exit.code === askedCode;
  return !killedAtDeadline && results.every(stoppedAsAsked) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`start: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
