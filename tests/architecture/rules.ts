import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

// The house rules of #8 as functions over files, so each can be shown to fire on a
// fixture that breaks it (tests/architecture/fixtures) as well as checked on the tree.

export const root = path.resolve(import.meta.dirname, "../..");
const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".mjs"];

export function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name.startsWith(".") ? [] : sourceFiles(full);
    return SOURCE_EXTENSIONS.includes(path.extname(entry.name)) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

export const repoPath = (file: string) => path.relative(root, file);

export interface ImportEdge {
  specifier: string;
  /** The repository file it resolves to, or null for a package or node: module. */
  target: string | null;
  /** false for `import type` / `export type`: erased, never bundled or run. */
  value: boolean;
}

function resolveSpecifier(file: string, specifier: string): string | null {
  if (!specifier.startsWith(".") && !specifier.startsWith("@/")) return null;
  const base = specifier.startsWith("@/") ? path.join(root, specifier.slice(2)) : path.resolve(path.dirname(file), specifier);
  const withoutJs = base.replace(/\.js$/, "");
  const candidates = ["", ...SOURCE_EXTENSIONS, "/index.ts", "/index.tsx"].flatMap((suffix) => [base + suffix, withoutJs + suffix]);
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? base;
}

/** Every import of a file: static and re-exporting `from "…"`, bare `import "…"`, `import("…")`, `require("…")`. */
export function imports(file: string): ImportEdge[] {
  const source = readFileSync(file, "utf8");
  const edges: ImportEdge[] = [];
  const statement = /(^|[;\n])\s*(import|export)\s+(type\s+)?[^;]*?\bfrom\s+["'`]([^"'`]+)["'`]/g;
  for (const match of source.matchAll(statement)) {
    const specifier = match[4]!;
    edges.push({ specifier, target: resolveSpecifier(file, specifier), value: !match[3] });
  }
  for (const match of source.matchAll(
    /(?:^|[;\n])\s*import\s+["']([^"']+)["']|\bimport\s*\(\s*["'`]([^"'`$]+)["'`]|\brequire\s*\(\s*["'`]([^"'`$]+)["'`]/g,
  )) {
    const specifier = (match[1] ?? match[2] ?? match[3])!;
    edges.push({ specifier, target: resolveSpecifier(file, specifier), value: true });
  }
  return edges;
}

/** Files reachable from `start` through value imports (the code that is bundled or run with it). */
export function valueClosure(start: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...start];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const edge of imports(file)) if (edge.value && edge.target) pending.push(edge.target);
  }
  return seen;
}

/** Every import cycle among these files, each as the chain of files that closes it. */
export function importCycles(files: string[]): string[][] {
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
    for (const { target } of imports(file)) if (target && inScope.has(target)) visit(target, [...chain, file]);
    state.set(file, "done");
  };
  for (const file of files) visit(file, []);
  return cycles;
}

/** The queue's files (and all they pull in) may reach only lib/queue, lib/db, lib/env.ts and lib/domain-error.ts. */
export function queueReachesOutside(queueFiles: string[], libDir: string): string[] {
  return [...valueClosure(queueFiles)]
    .map((file) => path.relative(libDir, file).replace(/\.[a-z]+$/, ""))
    .filter((relative) => !/^(queue|db)(\/|$)|^domain-error$|^env$/.test(relative))
    .sort();
}

const PHRASE_CACHE_WRITE = /(insert\s+into|update|delete\s+from|merge\s+into|truncate(\s+table)?)\s+("?public"?\s*\.\s*)?"?phrase_cache\b/i;

/**
 * Files other than the owner that touch phrase_cache: any mention of the table, except
 * read-only statistics readers (allowed by name), which may still never write it.
 */
export function phraseCacheOffenders(files: string[], owner: string, readOnlyReaders: readonly string[]): string[] {
  return files
    .filter((file) => file !== owner)
    .filter((file) => {
      const source = readFileSync(file, "utf8");
      if (readOnlyReaders.includes(file)) return PHRASE_CACHE_WRITE.test(source);
      return /phrase_cache|\bcache_key\b/.test(source);
    })
    .map(repoPath);
}

/** Files other than the owner that name a job's submission in SQL ('submissionId' in a payload expression). */
export function submissionJobOffenders(files: string[], owner: string, displayOnly: readonly string[]): string[] {
  return files
    .filter((file) => file !== owner)
    .filter((file) => {
      const source = readFileSync(file, "utf8");
      if (!/'submissionId'/.test(source)) return false;
      // A list of failures may show each job's submission, but never select jobs by it.
      if (displayOnly.includes(file)) return /'submissionId'\s*(=|in\b|@>)|=\s*[\w.()]*\s*->>?\s*'submissionId'|@>/.test(source);
      return true;
    })
    .map(repoPath);
}

/** What a browser bundle must never contain: server-only code and packages. */
export function clientReachesServer(clientFiles: string[], libDir: string): string[] {
  const closure = valueClosure(clientFiles);
  const offenders: string[] = [];
  for (const file of closure) {
    const relative = path.relative(libDir, file).replace(/\.[a-z]+$/, "");
    if (/^(db|queue|grading\/raters|api)(\/|$)|^env$|^tasks$/.test(relative)) offenders.push(repoPath(file));
    for (const edge of imports(file)) {
      if (edge.value && !edge.target && /^(postgres|openai|node:|next\/server$)/.test(edge.specifier))
        offenders.push(`${repoPath(file)} → ${edge.specifier}`);
    }
  }
  return offenders.sort();
}
