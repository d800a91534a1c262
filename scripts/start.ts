/**
 * `npm start`: the whole app on one machine. Starts the embedded PostgreSQL (or uses
 * DATABASE_URL), applies migrations to the embedded database, builds the app if it
 * has not been built, then runs `next start` and a queue worker side by side.
 *
 *   --dev         next dev instead of a production build
 *   --rebuild     build even if a build exists
 *   --no-worker   only the web app (the enqueuing request and cron still drain)
 *   PORT=3000     the port to serve on
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { prepareDatabase } from "../lib/db/prepare-database";

const root = path.resolve(import.meta.dirname, "..");
const nextBin = path.join(root, "node_modules/next/dist/bin/next");
const tsxBin = path.join(root, "node_modules/tsx/dist/cli.mjs");
const args = new Set(process.argv.slice(2));
const dev = args.has("--dev");
const port = process.env.PORT ?? "3000";

function run(command: string, commandArgs: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [command, ...commandArgs], { cwd: root, env, stdio: "inherit" });
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function main(): Promise<number> {
  process.stderr.write("Preparing the database…\n");
  const databaseUrl = await prepareDatabase();
  const env = { ...process.env, DATABASE_URL: databaseUrl, PORT: port };
  process.stderr.write(`Database ready: ${databaseUrl.replace(/:[^:@/]+@/, ":***@")}\n`);

  if (!dev && (args.has("--rebuild") || !existsSync(path.join(root, ".next/BUILD_ID")))) {
    process.stderr.write("Building the app (first start only; `npm start -- --rebuild` to rebuild)…\n");
    const buildCode = await exitCode(run(nextBin, ["build"], { ...env, NODE_ENV: "production" }));
    if (buildCode !== 0) return buildCode;
  }

  const children: ChildProcess[] = [run(nextBin, [dev ? "dev" : "start", "-p", port], env)];
  if (!args.has("--no-worker")) {
    children.push(run(tsxBin, ["scripts/process-grading-jobs.ts"], env));
  }
  const stopAll = (signal: NodeJS.Signals) => {
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  };
  process.on("SIGINT", () => stopAll("SIGINT"));
  process.on("SIGTERM", () => stopAll("SIGTERM"));

  // When one part stops, stop the other: a half-running app is worse than none.
  const first = await Promise.race(children.map(exitCode));
  stopAll("SIGTERM");
  await Promise.all(children.map(exitCode));
  return first;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`start: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
