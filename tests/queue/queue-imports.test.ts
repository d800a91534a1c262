import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const queueDir = path.join(root, "lib/queue");

describe("the queue knows no domain (#8)", () => {
  it("files under lib/queue import only lib/queue, lib/db, lib/domain-error and packages (pure)", () => {
    const outside: string[] = [];
    for (const file of readdirSync(queueDir).filter((name) => name.endsWith(".ts"))) {
      const source = readFileSync(path.join(queueDir, file), "utf8");
      for (const [, from] of source.matchAll(/from\s+"([^"]+)"/g)) {
        if (!from!.startsWith(".") && !from!.startsWith("@/")) continue; // a package or node: module
        const target = from!.startsWith("@/") ? path.join(root, from!.slice(2)) : path.resolve(queueDir, from!);
        const relative = path.relative(path.join(root, "lib"), target);
        if (!/^(queue|db)(\/|$)|^domain-error$/.test(relative)) outside.push(`${file} → ${from}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
