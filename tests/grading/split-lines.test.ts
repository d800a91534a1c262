import { describe, expect, it } from "vitest";
import { MAX_SUBMISSION_BYTES, MAX_SUBMISSION_LINES } from "../../lib/submissions/split-lines";
import { LONG_LINE_CHARS, splitLines, SubmissionTextError } from "../../lib/submissions/split-lines";

describe("splitLines (pure)", () => {
  it("gives one line per written line, drops blank lines, and keeps offsets into the text", () => {
    const text = "  First line here.\n\n\r\nSecond line, with a comma.  \n   \nThird.";
    const lines = splitLines(text);
    expect(lines.map((line) => line.text)).toEqual(["First line here.", "Second line, with a comma.", "Third."]);
    expect(lines.map((line) => line.index)).toEqual([0, 1, 2]);
    for (const line of lines) expect(text.slice(line.start, line.end)).toBe(line.text);
  });

  it("splits a long written line at sentence ends", () => {
    const sentences = [
      "Schools should start later because teenagers need more sleep than adults do.",
      "Studies from several districts show that grades rise when the first bell moves to half past eight.",
      "Critics say buses and sports practice make this hard, but those schedules can change too.",
    ];
    const paragraph = sentences.join(" ");
    expect(paragraph.length).toBeGreaterThan(LONG_LINE_CHARS);
    const text = `Title\n${paragraph}\n`;
    const lines = splitLines(text);
    expect(lines.map((line) => line.text)).toEqual(["Title", ...sentences]);
    for (const line of lines) expect(text.slice(line.start, line.end)).toBe(line.text);
  });

  it("keeps a short line with several sentences whole", () => {
    expect(splitLines("Yes. No. Maybe.").map((line) => line.text)).toEqual(["Yes. No. Maybe."]);
  });

  it("rejects empty and whitespace-only text with a message", () => {
    expect(() => splitLines("")).toThrow(SubmissionTextError);
    expect(() => splitLines(" \n\t\n ")).toThrow(/empty/);
  });

  it("rejects text over the size cap, counting bytes not characters", () => {
    const emoji = "😀"; // 4 bytes in UTF-8
    const text = emoji.repeat(Math.ceil(MAX_SUBMISSION_BYTES / 4) + 1);
    expect(text.length).toBeLessThan(MAX_SUBMISSION_BYTES);
    expect(() => splitLines(text)).toThrow(/too long/);
  });

  it("rejects more lines than the cap", () => {
    const text = Array.from({ length: MAX_SUBMISSION_LINES + 1 }, (_, i) => `Line ${i}`).join("\n");
    expect(() => splitLines(text)).toThrow(new RegExp(`${MAX_SUBMISSION_LINES + 1} lines`));
    expect(splitLines(text.split("\n").slice(0, MAX_SUBMISSION_LINES).join("\n"))).toHaveLength(MAX_SUBMISSION_LINES);
  });
});
