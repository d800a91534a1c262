import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const SOURCE_DIRS = ["app", "lib"];
const SOURCE_FILES = ["next.config.ts", "proxy.ts", "instrumentation.ts", "instrumentation-client.ts", "package.json", "tsconfig.json"];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the Next app for the HTTP tests unless a build newer than every source file exists. */
export function ensureNextBuild(): void {
  const buildId = path.join(root, ".next/BUILD_ID");
  if (existsSync(buildId)) {
    const builtAt = statSync(buildId).mtimeMs;
    const newestSource = Math.max(
      ...SOURCE_DIRS.map((dir) => newestMtime(path.join(root, dir))),
      ...SOURCE_FILES.map((file) => statSync(path.join(root, file)).mtimeMs),
    );
    if (builtAt > newestSource) return;
  }
  process.stderr.write("Building the Next app for the HTTP tests (next build)…\n");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    stdio: ["ignore", 2, 2], // build output to stderr: benchmarks keep stdout for their JSON
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed with exit code ${result.status}`);
}
