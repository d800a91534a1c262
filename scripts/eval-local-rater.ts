/**
 * How far the offline rater agrees with human raters, on the ELLIPSE essays in
 * ../shared/corpus (not part of this repository: CC BY-NC-SA data stays outside it).
 * Informative only: prints quadratic weighted kappa (QWK) between the local rater's
 * scores and the human ones, for the Overall score and the criteria the checks reach.
 *
 *   npx tsx scripts/eval-local-rater.ts [--limit 100]
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { createLocalRater } from "../lib/grading/raters/local-rater";
import type { AssignmentContext } from "../lib/assignments/assignments";
import { LINES_PER_JOB } from "../lib/grading/schemas";
import { rubricSchema, type Rubric } from "../lib/assignments/rubric";
import { splitLines } from "../lib/submissions/split-lines";

const CORPUS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../shared/corpus");
const ESSAYS_CSV = path.join(CORPUS_DIR, "ellipse-essays.csv");
const RUBRIC_JSON = path.join(CORPUS_DIR, "rubrics/ellipse-analytic-rubric.expected.json");
/** ELLIPSE scores run 1–5 in half points: nine categories for the kappa. */
const HALF_POINT_CATEGORIES = 9;
const COMPARED_CRITERIA = ["overall", "conventions", "grammar", "vocabulary", "syntax", "cohesion", "phraseology"] as const;

interface EssayRow {
  text_id_kaggle: string;
  full_text: string;
  [column: string]: string;
}

async function main(): Promise<void> {
  if (!existsSync(ESSAYS_CSV) || !existsSync(RUBRIC_JSON)) {
    console.log(`Skipped: ${ESSAYS_CSV} or its rubric is not here (the corpus lives in ../shared/corpus).`);
    return;
  }
  const limit = Number(argValue("--limit") ?? 100);
  const rows = parse(readFileSync(ESSAYS_CSV), { columns: true, skip_empty_lines: true }) as EssayRow[];
  const sample = evenlySpaced(rows, limit);
  const assignment = ellipseAssignment();
  const rater = createLocalRater();

  const humans = new Map<string, number[]>(COMPARED_CRITERIA.map((id) => [id, []]));
  const machine = new Map<string, number[]>(COMPARED_CRITERIA.map((id) => [id, []]));
  let lineCount = 0;
  const started = performance.now();
  for (const row of sample) {
    const lines = splitLines(row.full_text);
    lineCount += lines.length;
    const ratings = [];
    for (let i = 0; i < lines.length; i += LINES_PER_JOB) {
      ratings.push(...(await rater.rateLines(lines.slice(i, i + LINES_PER_JOB), { assignment })).ratings);
    }
    const { grade } = await rater.gradeSubmission({ assignment, lines, ratings });
    for (const id of COMPARED_CRITERIA) {
      const score = id === "overall" ? grade.overallScore : grade.criteria.find((c) => c.criterionId === id)?.score;
      humans.get(id)!.push(Number(row[capitalize(id)]));
      machine.get(id)!.push(score ?? Number.NaN);
    }
  }
  const seconds = (performance.now() - started) / 1000;

  console.log(
    `${sample.length} essays, ${lineCount} lines, ${seconds.toFixed(1)} s (${((seconds * 1000) / lineCount).toFixed(1)} ms a line, warm-up included)`,
  );
  for (const id of COMPARED_CRITERIA) {
    const human = humans.get(id)!;
    const local = machine.get(id)!;
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    console.log(
      `${capitalize(id).padEnd(12)} QWK ${quadraticWeightedKappa(human.map(toCategory), local.map(toCategory)).toFixed(3)}` +
        `  Pearson r ${pearson(human, local).toFixed(3)}  mean human ${mean(human).toFixed(2)} local ${mean(local).toFixed(2)}`,
    );
  }
  console.log("Reference (corpus README): a length-only predictor scores QWK 0.29 on Overall for this subset.");
}

/** The ELLIPSE rubric as Gradeline stores rubrics, from the corpus's reference extraction. */
function ellipseAssignment(): AssignmentContext {
  const source = JSON.parse(readFileSync(RUBRIC_JSON, "utf8")) as {
    scale: Rubric["scale"];
    criteria: Array<{ name: string; levels: Array<{ score: number; descriptor: string }> }>;
  };
  const rubric = rubricSchema.parse({
    scale: source.scale,
    criteria: source.criteria.map((criterion) => ({
      id: criterion.name.toLowerCase(),
      name: criterion.name,
      levels: criterion.levels.map((level) => ({ score: level.score, label: String(level.score), description: level.descriptor })),
    })),
  });
  return { id: "ellipse", title: "ELLIPSE essay", prompt: "", rubric, rubricVersion: 1 };
}

/** 1, 1.5, …, 5 → 0…8; scores are clamped so a stray value cannot leave the matrix. */
function toCategory(score: number): number {
  return Math.min(HALF_POINT_CATEGORIES - 1, Math.max(0, Math.round((score - 1) * 2)));
}

/** Cohen's kappa with quadratic weights, as in the Kaggle essay-scoring competitions. */
export function quadraticWeightedKappa(a: number[], b: number[], categories = HALF_POINT_CATEGORIES): number {
  const observed = Array.from({ length: categories }, () => new Array<number>(categories).fill(0));
  const histA = new Array<number>(categories).fill(0);
  const histB = new Array<number>(categories).fill(0);
  a.forEach((x, i) => {
    observed[x]![b[i]!]!++;
    histA[x]!++;
    histB[b[i]!]!++;
  });
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < categories; i++) {
    for (let j = 0; j < categories; j++) {
      const weight = (i - j) ** 2 / (categories - 1) ** 2;
      numerator += weight * observed[i]![j]!;
      denominator += (weight * histA[i]! * histB[j]!) / a.length;
    }
  }
  return denominator === 0 ? 1 : 1 - numerator / denominator;
}

function pearson(x: number[], y: number[]): number {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const [mx, my] = [mean(x), mean(y)];
  let [sxy, sxx, syy] = [0, 0, 0];
  x.forEach((xi, i) => {
    sxy += (xi - mx) * (y[i]! - my);
    sxx += (xi - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

/** A spread across the file rather than its head, which is ordered by nothing we know. */
function evenlySpaced<T>(items: T[], count: number): T[] {
  if (count >= items.length) return items;
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function capitalize(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

await main();
