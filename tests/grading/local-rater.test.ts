import { beforeAll, describe, expect, it } from "vitest";
import { createLocalRater, LOCAL_RATER_ID } from "../../lib/grading/raters/local-rater";
import { matchCriterion } from "../../lib/grading/raters/local/match-criterion";
import { scoreOnScale } from "../../lib/grading/raters/local/score-on-scale";
import type { AssignmentContext } from "../../lib/assignments/assignments";
import { lineRatingSchema, submissionGradeSchema, type SubmissionLine } from "../../lib/grading/schemas";
import { rubricSchema, type Rubric } from "../../lib/assignments/rubric";

function criterion(id: string, name: string, description = "") {
  return {
    id,
    name,
    description,
    levels: [
      { score: 1, label: "low", description: "" },
      { score: 5, label: "high", description: "" },
    ],
  };
}

function makeRubric(scale: Rubric["scale"], criteria = SIX_TRAITS): Rubric {
  return rubricSchema.parse({ scale, criteria });
}

/** Ideas first on purpose: a mapping that just falls back to the first criterion picks it. */
const SIX_TRAITS = [
  criterion("ideas", "Ideas and content", "A clear main idea supported by details."),
  criterion("organization", "Organization", "An inviting lead, logical order, a satisfying ending."),
  criterion("word_choice", "Word choice", "Precise, natural words."),
  criterion("sentence_fluency", "Sentence fluency", "Sentences vary in length and flow when read aloud."),
  criterion("conventions", "Conventions", "Spelling, punctuation, capitalization and grammar."),
];

function makeAssignment(rubric: Rubric = makeRubric({ min: 1, max: 5 })): AssignmentContext {
  return { id: "a1", title: "Should school start later?", prompt: "Argue for or against.", rubric, rubricVersion: 1 };
}

function toLines(texts: string[], firstIndex = 0): SubmissionLine[] {
  let start = 0;
  return texts.map((text, position) => {
    const line = { index: firstIndex + position, text, start, end: start + text.length };
    start = line.end + 1;
    return line;
  });
}

const CLEAN = "The cat sat on the mat.";
const MISSPELT = "I recieve a letter from my freind every week.";
const PASSIVE = "The letter was written by my grandmother.";
const BAD = "Me and him goed to teh stor becuase we was realy hungri and it was a awful day.";
const ODD = [
  "!!! ??? ... --- ***",
  "12345 67.89 3,14",
  "😀🎉👍 🙃",
  "Das ist ein schöner Tag und wir gehen nach Hause.",
  "¿Dónde está la biblioteca? 图书馆在哪里？",
  "Visit https://example.com/some/path?x=1 or write to someone@example.com.",
  `${"This sentence just keeps going and going without any end in sight ".repeat(80)}.`,
  `${"recieve teh 😀 ".repeat(300)}`,
];

const rater = createLocalRater();

async function rateOne(text: string, assignment = makeAssignment()) {
  const { ratings } = await rater.rateLines(toLines([text]), { assignment });
  return ratings[0]!;
}

describe("local rater (pure)", () => {
  beforeAll(async () => {
    // The dictionary loads once per process; load it here so no test pays for it.
    await rateOne(CLEAN);
  });

  it("names itself and reports no LLM usage", async () => {
    expect(rater.id).toBe(LOCAL_RATER_ID);
    expect(rater.version).toMatch(/\S/);
    const result = await rater.rateLines(toLines([CLEAN]), { assignment: makeAssignment() });
    expect(result.usage).toBeNull();
  });

  it("finds misspellings and suggests the dictionary's correction", async () => {
    const rating = await rateOne(MISSPELT);
    expect(rating.comment).toContain('"recieve"');
    expect(rating.comment).toContain('"freind"');
    expect(rating.suggestion).toContain('"receive"');
    expect(rating.suggestion).toContain('"friend"');
    expect(rating.score).toBeLessThan(5);
  });

  it("flags passive voice with its auxiliary", async () => {
    const rating = await rateOne(PASSIVE);
    expect(rating.comment).toMatch(/passive voice/i);
    expect(rating.comment).toContain('"was written"');
  });

  it("flags a/an and a repeated word, with the fix", async () => {
    const rating = await rateOne("It was a awful day and the the bus was late.");
    expect(rating.comment).toContain('"a awful"');
    expect(rating.comment).toContain('"the the"');
    expect(rating.suggestion).toContain('"an awful"');
  });

  it("suggests the apostrophe for a contraction rather than an unrelated word", async () => {
    const rating = await rateOne("I dont know why.");
    expect(rating.suggestion).toContain(`"don't"`);
  });

  it("scores a clean sentence at the top of the scale and a bad one lower", async () => {
    const clean = await rateOne(CLEAN);
    const misspelt = await rateOne(MISSPELT);
    const bad = await rateOne(BAD);
    expect(clean.score).toBe(5);
    expect(clean.label).toBe("strong");
    expect(clean.suggestion).toBeNull();
    expect(misspelt.score).toBeLessThan(clean.score);
    expect(bad.score).toBeLessThan(misspelt.score);
    expect(bad.label).toBe("weak");
  });

  it("gives the same ratings for the same lines, whatever was rated before", async () => {
    const assignment = makeAssignment();
    const lines = toLines([CLEAN, MISSPELT, PASSIVE, BAD, ...ODD]);
    const first = await rater.rateLines(lines, { assignment });
    // retext-spell stops suggesting after 30 misspellings per processor: rate many in between.
    const noise = toLines(Array.from({ length: 40 }, (_, i) => `Thiss lline ${i} hass manny mistaykes inn itt.`));
    await rater.rateLines(noise, { assignment });
    const second = await createLocalRater().rateLines(lines, { assignment });
    expect(second).toEqual(first);
    const alone = await rater.rateLines(toLines([MISSPELT], 3), { assignment });
    expect(alone.ratings[0]).toEqual({ ...first.ratings[1]!, lineIndex: 3 });
  });

  it("keeps scores inside any rubric scale, odd lines included", async () => {
    for (const scale of [
      { min: 0, max: 4 },
      { min: 1, max: 6 },
      { min: 0, max: 100 },
    ]) {
      const assignment = makeAssignment(makeRubric(scale));
      const lines = toLines([CLEAN, MISSPELT, PASSIVE, BAD, ...ODD], 7);
      const { ratings } = await rater.rateLines(lines, { assignment });
      expect(ratings.map((rating) => rating.lineIndex)).toEqual(lines.map((line) => line.index));
      for (const rating of ratings) {
        expect(lineRatingSchema.safeParse(rating).success).toBe(true);
        expect(rating.score).toBeGreaterThanOrEqual(scale.min);
        expect(rating.score).toBeLessThanOrEqual(scale.max);
      }
      expect(ratings[0]!.score).toBe(scale.max);
      expect(ratings[3]!.score).toBeLessThan(scale.max);
    }
  });

  it("rates lines without words as such, and a line in another language without silly suggestions", async () => {
    const [punctuation, numbers, emoji, german] = (await rater.rateLines(toLines(ODD.slice(0, 4)), { assignment: makeAssignment() }))
      .ratings;
    for (const rating of [punctuation!, numbers!, emoji!]) {
      expect(rating.label).toBe("none");
      expect(rating.criterionId).toBeNull();
    }
    expect(german!.comment).toMatch(/not in the English dictionary/);
    expect(german!.suggestion).not.toMatch(/Dad/);
  });

  it("does not treat a URL or an e-mail address as misspelt", async () => {
    const rating = await rateOne(ODD[5]!);
    expect(rating.comment).not.toMatch(/misspell/i);
  });

  it("maps spelling to a conventions-like criterion, sentences to fluency, wording to word choice", async () => {
    const assignment = makeAssignment();
    expect((await rateOne(MISSPELT, assignment)).criterionId).toBe("conventions");
    const longSentence =
      "The students who were given the opportunity to participate in the extracurricular activities that had been organized by the committee demonstrated a remarkably improved understanding of the subject matter.";
    expect((await rateOne(longSentence, assignment)).criterionId).toBe("sentence_fluency");
    expect((await rateOne("We will utilize this.", assignment)).criterionId).toBe("word_choice");
  });

  it("never maps to a holistic criterion when a specific one fits, and falls back to the first criterion", () => {
    const ellipse = makeRubric({ min: 1, max: 5 }, [
      criterion("overall", "Overall", "Precise use of grammar and conventions; spelling."),
      criterion("cohesion", "Cohesion"),
      criterion("grammar", "Grammar"),
      criterion("conventions", "Conventions"),
      criterion("vocabulary", "Vocabulary"),
    ]);
    expect(matchCriterion(ellipse, "spelling").id).toBe("conventions");
    expect(matchCriterion(ellipse, "grammar").id).toBe("grammar");
    expect(matchCriterion(ellipse, "wording").id).toBe("vocabulary");
    const unrelated = makeRubric({ min: 1, max: 5 }, [criterion("thesis", "Thesis"), criterion("evidence", "Evidence")]);
    expect(matchCriterion(unrelated, "spelling").id).toBe("thesis");
  });

  it("keeps comments and suggestions within the schema's limits on a huge line", async () => {
    const rating = await rateOne(ODD[7]!);
    expect(rating.comment.length).toBeLessThanOrEqual(600);
    expect(rating.suggestion?.length ?? 0).toBeLessThanOrEqual(600);
    expect(rating.comment).toContain('"recieve"');
  });

  it("grades a submission with one score per criterion, within the scale, citing counts", async () => {
    for (const scale of [
      { min: 0, max: 4 },
      { min: 1, max: 6 },
    ]) {
      const assignment = makeAssignment(makeRubric(scale));
      const lines = toLines([CLEAN, MISSPELT, PASSIVE, BAD, ...ODD]);
      const { ratings } = await rater.rateLines(lines, { assignment });
      const { grade, usage } = await rater.gradeSubmission({ assignment, lines, ratings });
      expect(usage).toBeNull();
      expect(submissionGradeSchema.safeParse(grade).success).toBe(true);
      expect(grade.criteria.map((c) => c.criterionId)).toEqual(SIX_TRAITS.map((c) => c.id));
      for (const score of [...grade.criteria.map((c) => c.score), grade.overallScore]) {
        expect(score).toBeGreaterThanOrEqual(scale.min);
        expect(score).toBeLessThanOrEqual(scale.max);
      }
      const conventions = grade.criteria.find((c) => c.criterionId === "conventions")!;
      const wordyLines = lines.length - 3; // punctuation, numbers and emoji have no words
      expect(conventions.rationale).toMatch(new RegExp(`\\d+ of ${wordyLines} lines had spelling issues`));
      const sentences = grade.feedback.split(/(?<=\.)\s+(?=[A-Z])/);
      expect(sentences.length).toBeGreaterThanOrEqual(2);
      expect(sentences.length).toBeLessThanOrEqual(4);
      expect(grade.feedback).toMatch(/most frequent issue was spelling/);
    }
  });

  it("grades a clean essay above a misspelt one on conventions and overall", async () => {
    const assignment = makeAssignment();
    const grade = async (texts: string[]) => {
      const lines = toLines(texts);
      const { ratings } = await rater.rateLines(lines, { assignment });
      return (await rater.gradeSubmission({ assignment, lines, ratings })).grade;
    };
    const clean = await grade([CLEAN, "Dogs like to run in the park.", "We ate lunch at noon."]);
    const misspelt = await grade([MISSPELT, "Dogs lik to rn in teh park.", "We aet lunch at noone becuase we wer hungri."]);
    const conventions = (g: typeof clean) => g.criteria.find((c) => c.criterionId === "conventions")!.score;
    expect(conventions(clean)).toBe(5);
    expect(conventions(misspelt)).toBeLessThan(conventions(clean));
    expect(misspelt.overallScore).toBeLessThan(clean.overallScore);
    expect(clean.feedback).toMatch(/No issues were found/);
  });

  it("rounds scores to half points counted from the scale's min, whole points on wide scales", () => {
    expect(scoreOnScale(1, { min: 1, max: 5 })).toBe(5);
    expect(scoreOnScale(0, { min: 1, max: 5 })).toBe(1);
    expect(scoreOnScale(0.6, { min: 1, max: 5 })).toBe(3.5);
    expect(scoreOnScale(0.33, { min: 0, max: 100 })).toBe(33);
    expect(scoreOnScale(Number.NaN, { min: 0, max: 4 })).toBe(0);
    expect(scoreOnScale(2, { min: 0, max: 4 })).toBe(4);
  });
});
