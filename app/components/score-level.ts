export type ScoreLevel = "weak" | "fair" | "good" | "strong";

/**
 * Where a score sits on the rubric's scale, in the same bands lib/submissions/overrides.ts
 * uses to label a teacher's bare score, so a badge's colour and a label agree.
 */
export function scoreLevel(score: number, scale: { min: number; max: number }): ScoreLevel {
  const position = (score - scale.min) / (scale.max - scale.min);
  return position >= 0.8 ? "strong" : position >= 0.55 ? "good" : position >= 0.3 ? "fair" : "weak";
}

/** 4 → "4", 3.6667 → "3.67". */
export const formatScore = (score: number) => String(Math.round(score * 100) / 100);
