/**
 * Which ratings the phrase cache may keep without showing one student's words to another (#9):
 *
 *   npx tsx scripts/measure-cache-comments.ts [--limit 100]
 *
 * Rates the ELLIPSE essays in ../shared/corpus (not part of this repository) line by line,
 * five lines a call as the queue does, with the offline rater and with the real openai
 * client against tests/support/fake-openai-server.ts, and asks of every rating whether each
 * policy would cache it with its comment:
 *
 *   generic      cache score and label only, with a generic comment (every rating cached, no comment kept)
 *   quotes       refuse a rating whose quoted spans hold any word not in its own line
 *   words        refuse a rating with any content word that another line has and its own has not
 *   borrowed     lib/grading/borrowed-text.ts: runs of 3 words, quoted words, names, or 2 content words from other lines
 *
 * Then it plants a leak of the next line of the same call into each comment, three ways
 * (quoted, copied unquoted, paraphrased by two of its rarer words), and counts how many each
 * policy catches. "kept" is the share of real ratings cached with their comment; "caught"
 * the share of planted leaks refused. Prints one table; nothing is written anywhere.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import type { AssignmentContext } from "../lib/assignments/assignments";
import { rubricSchema } from "../lib/assignments/rubric";
import { essayContextFor, findBorrowedText, type EssayContext } from "../lib/grading/borrowed-text";
import { createLocalRater } from "../lib/grading/raters/local-rater";
import { createOpenAiRater } from "../lib/grading/raters/openai-rater";
import type { Rater } from "../lib/grading/raters/rater";
import { LINES_PER_JOB } from "../lib/grading/schemas";
import { splitLines } from "../lib/submissions/split-lines";
import { startFakeOpenAiServer } from "../tests/support/fake-openai-server";

const CORPUS_CSV = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../shared/corpus/ellipse-essays.csv");

type Policy = "generic" | "quotes" | "words" | "borrowed";
const POLICIES: Policy[] = ["generic", "quotes", "words", "borrowed"];

const wordsOf = (text: string) =>
  (text
    .normalize("NFKC")
    .toLowerCase()
    .match(/[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu) ?? []) as string[];
const quoted = (text: string) => [...text.matchAll(/"([^"]+)"|“([^”]+)”/g)].map((m) => m[1] ?? m[2] ?? "");

/** Whether the policy refuses to cache this comment and suggestion (generic never refuses: it drops them). */
function refuses(policy: Policy, texts: string[], ownLine: string, context: EssayContext): boolean {
  const own = new Set(wordsOf(ownLine));
  switch (policy) {
    case "generic":
      return false;
    case "quotes":
      return texts.some((text) => quoted(text).some((span) => wordsOf(span).some((word) => !own.has(word))));
    case "words":
      return texts.some((text) => wordsOf(text).some((word) => context.otherContentWords.has(word)));
    case "borrowed":
      return findBorrowedText(texts, context) !== null;
  }
}

/**
 * Three leaks of `neighbour` planted in a comment; null when the neighbour has fewer than two
 * content words this line lacks. The paraphrase uses two of them picked by a hash, not the
 * rarest: a paraphrase says what it says, not what a detector finds easiest.
 */
function plantedLeaks(comment: string, neighbour: string, context: EssayContext): string[] | null {
  const excerpt = neighbour.split(/\s+/).slice(0, 8).join(" ");
  const picked = [...new Set(wordsOf(neighbour))]
    .filter((word) => context.otherContentWords.has(word))
    .sort((a, b) => fnv1a(a) - fnv1a(b))
    .slice(0, 2);
  if (picked.length < 2) return null;
  const rare = picked;
  return [
    `${comment} Compare "${excerpt}".`,
    `${comment} You also wrote that ${excerpt.charAt(0).toLowerCase()}${excerpt.slice(1)}.`,
    `${comment} This connects to your point about ${rare[0]} and ${rare[1]}.`,
  ];
}

interface Tally {
  ratings: number;
  kept: Record<Policy, number>;
  leaks: number[];
  caught: Record<Policy, number[]>;
}

async function measure(rater: Rater, essays: string[], assignment: AssignmentContext): Promise<Tally> {
  const assignmentTexts = [assignment.title, assignment.prompt, JSON.stringify(assignment.rubric)];
  const tally: Tally = {
    ratings: 0,
    kept: { generic: 0, quotes: 0, words: 0, borrowed: 0 },
    leaks: [0, 0, 0],
    caught: { generic: [0, 0, 0], quotes: [0, 0, 0], words: [0, 0, 0], borrowed: [0, 0, 0] },
  };
  for (const essay of essays) {
    const lines = splitLines(essay);
    for (let start = 0; start < lines.length; start += LINES_PER_JOB) {
      const call = lines.slice(start, start + LINES_PER_JOB);
      const { ratings } = await rater.rateLines(call, { assignment });
      for (const rating of ratings) {
        const line = lines[rating.lineIndex]!;
        const context = essayContextFor(
          line.text,
          lines.filter((other) => other.index !== line.index).map((other) => other.text),
          assignmentTexts,
        );
        const texts = [rating.comment, rating.suggestion ?? ""];
        tally.ratings++;
        // "generic" keeps no comment at all, so it keeps none usefully.
        for (const policy of POLICIES) if (policy !== "generic" && !refuses(policy, texts, line.text, context)) tally.kept[policy]++;
        const neighbour =
          call.find((other) => other.index === rating.lineIndex + 1) ?? call.find((other) => other.index !== rating.lineIndex);
        const leaks = neighbour ? plantedLeaks(rating.comment, neighbour.text, context) : null;
        leaks?.forEach((leaky, kind) => {
          tally.leaks[kind]!++;
          for (const policy of POLICIES) {
            if (policy === "generic" || refuses(policy, [leaky, rating.suggestion ?? ""], line.text, context))
              tally.caught[policy][kind]!++;
          }
        });
      }
    }
  }
  return tally;
}

function report(name: string, tally: Tally): void {
  const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`.padStart(7);
  console.log(`\n${name}: ${tally.ratings} ratings; planted leaks quoted/copied/paraphrased: ${tally.leaks.join("/")}`);
  console.log(`policy      kept with comment   caught quoted  copied  paraphrased`);
  for (const policy of POLICIES) {
    const kept = policy === "generic" ? 0 : tally.kept[policy];
    const caught = tally.caught[policy].map((n, kind) => pct(n, tally.leaks[kind]!));
    console.log(`${policy.padEnd(12)}${pct(kept, tally.ratings).padStart(17)}   ${caught.join("  ")}`);
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

async function main(): Promise<void> {
  if (!existsSync(CORPUS_CSV)) {
    console.log(`Skipped: ${CORPUS_CSV} is not here (the corpus lives in ../shared/corpus).`);
    return;
  }
  const limit = Number(process.argv[process.argv.indexOf("--limit") + 1] ?? 100) || 100;
  const rows = parse(readFileSync(CORPUS_CSV), { columns: true, skip_empty_lines: true }) as Array<{ full_text: string }>;
  const essays = Array.from({ length: Math.min(limit, rows.length) }, (_, i) => rows[Math.floor((i * rows.length) / limit)]!.full_text);
  const rubric = rubricSchema.parse({
    scale: { min: 1, max: 5 },
    criteria: ["Cohesion", "Syntax", "Vocabulary", "Conventions"].map((name) => ({
      id: name.toLowerCase(),
      name,
      levels: [1, 2, 3, 4, 5].map((score) => ({ score, label: String(score) })),
    })),
  });
  const assignment: AssignmentContext = { id: "measure", title: "ELLIPSE essay", prompt: "", rubric, rubricVersion: 1 };

  report("local rater", await measure(createLocalRater(), essays, assignment));
  const llm = await startFakeOpenAiServer();
  try {
    const rater = createOpenAiRater({ apiKey: "measure", baseURL: llm.url, model: "gpt-4o-mini", maxRetries: 0 });
    report("fake LLM (openai client over HTTP)", await measure(rater, essays, assignment));
  } finally {
    await llm.close();
  }
}

await main();
