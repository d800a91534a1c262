import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The house rules of #8 that a reviewer would otherwise have to check by hand.
const root = path.resolve(import.meta.dirname, "../..");
const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".mjs"];
const MAX_SOURCE_LINES = 400;

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name.startsWith(".") ? [] : sourceFiles(full);
    return SOURCE_EXTENSIONS.includes(path.extname(entry.name)) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

const repoPath = (file: string) => path.relative(root, file);

/** The repository files a file imports: `from "…"`, a bare `import "…"` and a dynamic `import("…")`. */
function localImports(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const targets: string[] = [];
  for (const [, specifier] of source.matchAll(/(?:from\s+|import\s+|import\s*\(\s*)["']([^"']+)["']/g)) {
    if (!specifier!.startsWith(".") && !specifier!.startsWith("@/")) continue; // a package or node: module
    const base = specifier!.startsWith("@/") ? path.join(root, specifier!.slice(2)) : path.resolve(path.dirname(file), specifier!);
    const found = ["", ...SOURCE_EXTENSIONS, "/index.ts"]
      .map((suffix) => base + suffix)
      .find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
    targets.push(found ?? base);
  }
  return targets;
}

/** Every import cycle among these files, each as the chain of files that closes it. */
function importCycles(files: string[]): string[][] {
  const inScope = new Set(files);
  const state = new Map<string, "visiting" | "done">();
  const cycles: string[][] = [];
  const visit = (file: string, chain: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "visiting") {
      cycles.push([...chain.slice(chain.indexOf(file)), file].map(repoPath));
      return;
    }
    state.set(file, "visiting");
    for (const target of localImports(file)) if (inScope.has(target)) visit(target, [...chain, file]);
    state.set(file, "done");
  };
  for (const file of files) visit(file, []);
  return cycles;
}

describe("the layout of lib/ (#8)", () => {
  it("files under lib/queue import only lib/queue, lib/db, lib/domain-error and packages (pure)", () => {
    const outside: string[] = [];
    for (const file of sourceFiles(path.join(root, "lib/queue"))) {
      for (const target of localImports(file)) {
        const relative = path.relative(path.join(root, "lib"), target).replace(/\.[a-z]+$/, "");
        if (!/^(queue|db)(\/|$)|^domain-error$/.test(relative)) outside.push(`${repoPath(file)} → ${repoPath(target)}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it("no import cycle among the files of lib/ (pure)", () => {
    expect(importCycles(sourceFiles(path.join(root, "lib")))).toEqual([]);
  });

  it("the cycle finder finds a cycle when there is one (pure)", () => {
    // The rule above could pass by never finding anything; this fixture proves it looks.
    const fixture = path.join(import.meta.dirname, "fixtures/cycle");
    expect(importCycles(sourceFiles(fixture)).map((cycle) => cycle.map((file) => path.basename(file)))).toEqual([["a.ts", "b.ts", "a.ts"]]);
  });

  it("only the phrase-cache module writes phrase_cache or touches its keys (pure)", () => {
    const owner = path.join(root, "lib/grading/phrase-cache.ts");
    const offenders = [
      ...sourceFiles(path.join(root, "lib")),
      ...sourceFiles(path.join(root, "app")),
      ...sourceFiles(path.join(root, "scripts")),
    ]
      .filter((file) => file !== owner)
      .filter((file) =>
        /(insert\s+into|update|delete\s+from)\s+(public\.)?phrase_cache\b|\bcache_key\b|phraseCacheKey|cacheScopeFingerprint/i.test(
          readFileSync(file, "utf8"),
        ),
      )
      .map(repoPath);
    expect(offenders).toEqual([]);
  });

  it("only lib/submissions/submission-jobs.ts finds a submission's jobs by their payload (pure)", () => {
    const owner = path.join(root, "lib/submissions/submission-jobs.ts");
    const offenders = [...sourceFiles(path.join(root, "lib")), ...sourceFiles(path.join(root, "app"))]
      .filter((file) => file !== owner)
      .filter((file) => /payload\s*->>\s*'submissionId'\s*=|payload\s*\?\s*'submissionId'/.test(readFileSync(file, "utf8")))
      .map(repoPath);
    expect(offenders).toEqual([]);
  });

  it(`no hand-written source file is over ${MAX_SOURCE_LINES} lines (pure)`, () => {
    const long = ["lib", "app", "scripts", "tests", "supabase/functions"]
      .flatMap((dir) => sourceFiles(path.join(root, dir)))
      .map((file) => ({ file: repoPath(file), lines: readFileSync(file, "utf8").split("\n").length }))
      .filter(({ lines }) => lines > MAX_SOURCE_LINES);
    expect(long).toEqual([]);
  });
});
