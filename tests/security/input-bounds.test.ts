import { describe, expect, it } from "vitest";
import { describeZodError } from "../../lib/api/errors";
import { draftFromAssignment, validateAssignmentDraft } from "../../lib/assignments/assignment-draft";
import { MAX_RUBRIC_SCORE, rubricSchema } from "../../lib/assignments/rubric";
import { InvalidEnvironmentError, limitsEnv } from "../../lib/env";
import { findControlCharacter } from "../../lib/submissions/control-characters";
import { splitLines, SubmissionTextError } from "../../lib/submissions/split-lines";
import { createSubmissionBodySchema } from "../../lib/submissions/submission-body";
import { testRubric } from "../helpers/grading";

const withScale = (min: number, max: number) => ({ ...testRubric, scale: { min, max } });
const withLevelScore = (score: number) => ({
  ...testRubric,
  criteria: [{ ...testRubric.criteria[0]!, levels: [testRubric.criteria[0]!.levels[0]!, { score, label: "Top", description: "" }] }],
});

describe("essay text with control characters (#9) (pure)", () => {
  it("is refused with a 422 that names the character and the line, for NUL and the other C0/C1 controls", () => {
    const error = (() => {
      try {
        splitLines("First line.\nSecond line.\nThird\u0000line.");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SubmissionTextError);
    expect((error as SubmissionTextError).status).toBe(422);
    expect((error as SubmissionTextError).message).toBe(
      "The essay contains a control character, U+0000 (NUL, a zero byte), on line 3; remove it (it often comes from copying out of a PDF or a binary file) and try again.",
    );
    for (const control of ["\u0001", "\u0008", "\u000B", "\u000C", "\u001B", "\u007F", "\u0085", "\u009F"]) {
      expect(() => splitLines(`An essay${control} here.`), JSON.stringify(control)).toThrow(/control character/);
    }
  });

  it("keeps tab, line feed and carriage return as ordinary text", () => {
    expect(findControlCharacter("Tabs\tand\r\nline ends\nare text.")).toBeNull();
    expect(splitLines("One\tline.\r\nTwo.").map((line) => line.text)).toEqual(["One\tline.", "Two."]);
  });

  it("a student's name with a control character is a 400 naming the field", () => {
    const parsed = createSubmissionBodySchema.safeParse({
      assignmentId: "9b1f6c0e-4a57-4d43-9a7e-2f1c3e5d7a90",
      studentName: "Ann\u0000",
      text: "An essay.",
    });
    expect(parsed.success).toBe(false);
    expect(describeZodError(parsed.error!)).toBe(
      "studentName: the name contains a control character (such as a NUL byte) or a broken character; remove it",
    );
  });
});

describe("rubric numbers fit the numeric(6, 2) columns that store scores (#9) (pure)", () => {
  it(`refuses a scale or a level score beyond ±${MAX_RUBRIC_SCORE} with a sentence`, () => {
    for (const rubric of [withScale(0, 10_000), withScale(-10_000, 5), withScale(0, 1e300), withLevelScore(12_345)]) {
      const parsed = rubricSchema.safeParse(rubric);
      expect(parsed.success).toBe(false);
      expect(describeZodError(parsed.error!)).toMatch(/scores go (up|down) to -?9999\.99/);
    }
  });

  it("accepts the extremes, and rounds finer decimals to the hundredths the columns keep", () => {
    expect(rubricSchema.parse(withScale(-MAX_RUBRIC_SCORE, MAX_RUBRIC_SCORE)).scale).toEqual({ min: -9999.99, max: 9999.99 });
    expect(rubricSchema.parse(withScale(0.001, 3.333)).scale).toEqual({ min: 0, max: 3.33 });
  });

  it("refuses a rubric text with a NUL (jsonb cannot store one)", () => {
    const rubric = { ...testRubric, criteria: [{ ...testRubric.criteria[0]!, name: "Ide\u0000as" }] };
    const parsed = rubricSchema.safeParse(rubric);
    expect(parsed.success).toBe(false);
    expect(describeZodError(parsed.error!)).toBe(
      "criteria.0.name: contains a control character (such as a NUL byte) or a broken character; remove it",
    );
  });

  it("the assignment form says the same before sending: too large, and too many decimals", () => {
    const draft = draftFromAssignment(null);
    const { errors } = validateAssignmentDraft({ ...draft, title: "Essay", scaleMax: "10000" });
    expect(errors).toMatchObject({ "rubric.scale.max": "Scores go up to 9999.99." });
    const fine = validateAssignmentDraft({ ...draft, title: "Essay", scaleMax: "4.125" });
    expect(fine.errors).toMatchObject({ "rubric.scale.max": "Use at most two decimal places." });
  });
});

describe("line limits are settings (#9) (pure)", () => {
  it("default to 400 lines an essay and 20,000 a session, and refuse a value that is not a whole number above 0", () => {
    expect(limitsEnv({})).toEqual({ MAX_LINES_PER_SUBMISSION: 400, MAX_LINES_PER_SESSION: 20_000 });
    expect(limitsEnv({ MAX_LINES_PER_SUBMISSION: "50", MAX_LINES_PER_SESSION: "1000" })).toEqual({
      MAX_LINES_PER_SUBMISSION: 50,
      MAX_LINES_PER_SESSION: 1000,
    });
    expect(() => limitsEnv({ MAX_LINES_PER_SESSION: "0" })).toThrow(InvalidEnvironmentError);
    expect(() => limitsEnv({ MAX_LINES_PER_SUBMISSION: "lots" })).toThrow("MAX_LINES_PER_SUBMISSION must be a whole number above 0");
  });
});
