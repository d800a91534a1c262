import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  clientReachesServer,
  importCycles,
  phraseCacheOffenders,
  queueReachesOutside,
  repoPath,
  root,
  sourceFiles,
  submissionJobOffenders,
} from "./rules";

const MAX_SOURCE_LINES = 400;
const lib = path.join(root, "lib");
const fixtures = path.join(import.meta.dirname, "fixtures");
const violations = path.join(fixtures, "violations");
const at = (dir: string, file: string) => path.join(dir, file);

const libAppScripts = () => [...sourceFiles(lib), ...sourceFiles(path.join(root, "app")), ...sourceFiles(path.join(root, "scripts"))];
const phraseCacheOwner = at(lib, "grading/phrase-cache.ts");
const cacheStatsReader = at(lib, "monitoring/get-cache-stats.ts");
const submissionJobsOwner = at(lib, "submissions/submission-jobs.ts");
const failuresList = at(lib, "monitoring/list-recent-failures.ts");
const clientFiles = (dir: string) => sourceFiles(dir).filter((file) => /^\s*["']use client["']/.test(readFileSync(file, "utf8")));

describe("the layout of lib/ (#8)", () => {
  it("lib/queue, and everything it imports, reaches only lib/queue, lib/db, lib/env.ts and lib/domain-error.ts (pure)", () => {
    expect(queueReachesOutside(sourceFiles(at(lib, "queue")), lib)).toEqual([]);
    // …and the rule fires on a queue file that reaches the domain through lib/db.
    expect(queueReachesOutside(sourceFiles(at(violations, "lib/queue")), at(violations, "lib"))).toEqual(["grading/kinds"]);
  });

  it("no import cycle among the files of lib/ (pure)", () => {
    expect(importCycles(sourceFiles(lib))).toEqual([]);
    expect(importCycles(sourceFiles(at(fixtures, "cycle"))).map((cycle) => cycle.map((file) => path.basename(file)))).toEqual([
      ["a.ts", "b.ts", "a.ts"],
    ]);
  });

  it("only lib/grading/phrase-cache.ts touches phrase_cache; the statistics reader only reads it (pure)", () => {
    expect(phraseCacheOffenders(libAppScripts(), phraseCacheOwner, [cacheStatsReader])).toEqual([]);
    const fixture = at(violations, "writes-cache.ts");
    expect(phraseCacheOffenders([fixture], phraseCacheOwner, [])).toEqual([repoPath(fixture)]);
    expect(phraseCacheOffenders([fixture], phraseCacheOwner, [fixture])).toEqual([repoPath(fixture)]); // a "reader" that writes
  });

  it("only lib/submissions/submission-jobs.ts selects a submission's jobs by their payload (pure)", () => {
    expect(submissionJobOffenders(libAppScripts(), submissionJobsOwner, [failuresList])).toEqual([]);
    const [reads, filters] = [at(violations, "reads-jobs.ts"), at(violations, "filters-failures.ts")];
    expect(submissionJobOffenders([reads, filters], submissionJobsOwner, [])).toEqual([repoPath(reads), repoPath(filters)]);
    expect(submissionJobOffenders([filters], submissionJobsOwner, [filters])).toEqual([repoPath(filters)]); // display-only, yet filters
  });

  it("no browser bundle pulls in server code: lib/db, lib/queue, lib/env.ts, raters, postgres, node: modules (pure)", () => {
    expect(clientReachesServer([...clientFiles(path.join(root, "app")), ...clientFiles(lib)], lib)).toEqual([]);
    expect(clientReachesServer([at(violations, "client-types-only.tsx")], at(violations, "lib"))).toEqual([]);
    const reached = clientReachesServer([at(violations, "client-view.tsx")], at(violations, "lib"));
    expect(reached).toContain(repoPath(at(violations, "lib/db/pool.ts")));
    expect(reached).toContain(`${repoPath(at(violations, "lib/db/pool.ts"))} → postgres`);
  });

  it(`no hand-written source file is over ${MAX_SOURCE_LINES} lines (pure)`, () => {
    const long = ["lib", "app", "scripts", "tests", "supabase/functions"]
      .flatMap((dir) => sourceFiles(path.join(root, dir)))
      .map((file) => ({ file: repoPath(file), lines: readFileSync(file, "utf8").split("\n").length }))
      .filter(({ lines }) => lines > MAX_SOURCE_LINES);
    expect(long).toEqual([]);
  });
});
