import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const queueDir = path.join(root, "lib/queue");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith(".ts") ? [path.join(dir, entry.name)] : [],
  );
}

describe("the queue knows no domain (#8)", () => {
  it("files under lib/queue import only lib/queue, lib/db, lib/domain-error and packages (pure)", () => {
    const outside: string[] = [];
    for (const file of sourceFiles(queueDir)) {
      const source = readFileSync(file, "utf8");
      // `from "…"`, a bare `import "…"` and a dynamic `import("…")`
      for (const [, from] of source.matchAll(/(?:from\s+|import\s+|import\s*\(\s*)["']([^"']+)["']/g)) {
        if (!from!.startsWith(".") && !from!.startsWith("@/")) continue; // a package or node: module
        const target = from!.startsWith("@/") ? path.join(root, from!.slice(2)) : path.resolve(path.dirname(file), from!);
        const relative = path.relative(path.join(root, "lib"), target);
        if (!/^(queue|db)(\/|$)|^domain-error$/.test(relative)) outside.push(`${path.relative(queueDir, file)} → ${from}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
