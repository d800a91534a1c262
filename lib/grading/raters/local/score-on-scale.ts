import type { Rubric } from "../../../assignments/rubric";

type Scale = Rubric["scale"];

/** Scales wider than this get whole points; narrower ones (1–5, 0–4, 1–6) get half points. */
const WHOLE_POINTS_ABOVE_RANGE = 10;

/**
 * Places a quality fraction (0 = worst, 1 = best) on the rubric scale, rounded to half
 * points counted from the scale's min, and never outside it.
 */
export function scoreOnScale(fraction: number, scale: Scale): number {
  const range = scale.max - scale.min;
  const step = range > WHOLE_POINTS_ABOVE_RANGE ? 1 : 0.5;
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const rounded = scale.min + Math.round((clamped * range) / step) * step;
  return Math.min(scale.max, Math.max(scale.min, rounded));
}

/** Where a score sits on the scale, 0–1. */
export function fractionOfScale(score: number, scale: Scale): number {
  return (score - scale.min) / (scale.max - scale.min);
}

/** One word for a score, by quarters of the scale (strong needs the top eighth). */
export function labelForScore(score: number, scale: Scale): string {
  const fraction = fractionOfScale(score, scale);
  if (fraction >= 0.875) return "strong";
  if (fraction >= 0.625) return "good";
  if (fraction >= 0.375) return "fair";
  return "weak";
}

/**
 * Quality left after a penalty: `penalty` weighted findings against `fullPenalty`, the
 * amount that earns the bottom of the scale. Linear on purpose: a teacher can check it.
 */
export function fractionAfterPenalty(penalty: number, fullPenalty: number): number {
  return 1 - Math.min(1, penalty / fullPenalty);
}
