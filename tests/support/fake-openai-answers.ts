// Deterministic answers for tests/support/fake-openai-server.ts: scores come from each
// text's length and hash, so the same text always gets the same rating, within the rubric
// found in the request.

export interface RubricInMessage {
  scale: { min: number; max: number };
  criteria: Array<{ id: string; name: string; levels: Array<{ score: number; label: string }> }>;
}

export function rateLines(lines: Array<{ index: number; text: string }>, rubric: RubricInMessage | null) {
  const scale = rubric?.scale ?? { min: 1, max: 5 };
  const ratings = lines.map((line) => {
    const hash = fnv1a(line.text);
    const words = line.text.split(/\s+/).filter(Boolean).length;
    const fraction = 0.6 * Math.min(1, words / 18) + 0.4 * ((hash % 1000) / 999);
    const score = onScale(fraction, scale);
    const criterion = rubric && rubric.criteria.length > 0 ? rubric.criteria[(hash >>> 10) % rubric.criteria.length]! : null;
    const label =
      nearestLevelLabel(criterion?.levels ?? [], score) ?? (fraction >= 0.66 ? "strong" : fraction >= 0.33 ? "developing" : "weak");
    return {
      lineIndex: line.index,
      criterionId: criterion?.id ?? null,
      comment: `This ${words}-word line reads as ${label.toLowerCase()}${criterion ? ` for ${criterion.name}` : ""}.`,
      suggestion: fraction >= 0.85 ? null : `Make line ${line.index + 1} more specific: name the evidence it relies on.`,
      score,
      label: label.slice(0, 40),
    };
  });
  return { ratings };
}

export function gradeSubmission(essay: string, rubric: RubricInMessage | null) {
  const scale = rubric?.scale ?? { min: 1, max: 5 };
  const lengthFraction = Math.min(1, essay.length / 4000);
  const fractions: number[] = [];
  const criteria = (rubric?.criteria ?? []).map((criterion) => {
    const fraction = 0.6 * lengthFraction + 0.4 * ((fnv1a(`${criterion.id}\n${essay}`) % 1000) / 999);
    fractions.push(fraction);
    const scores = criterion.levels.map((level) => level.score);
    const low = Math.min(...scores);
    const high = Math.max(...scores);
    const target = low + fraction * (high - low);
    const score = scores.reduce((best, value) => (Math.abs(value - target) < Math.abs(best - target) ? value : best), low);
    return {
      criterionId: criterion.id,
      rationale: `The essay is at "${nearestLevelLabel(criterion.levels, score)}" for ${criterion.name}.`,
      score,
    };
  });
  const mean = fractions.length === 0 ? 0.5 : fractions.reduce((a, b) => a + b, 0) / fractions.length;
  return {
    criteria,
    feedback: "A clear draft overall; the weakest lines need more specific evidence.",
    overallScore: onScale(mean, scale),
  };
}

function onScale(fraction: number, scale: { min: number; max: number }): number {
  const raw = scale.min + fraction * (scale.max - scale.min);
  const rounded = Number.isInteger(scale.min) && Number.isInteger(scale.max) ? Math.round(raw) : Math.round(raw * 10) / 10;
  return Math.min(scale.max, Math.max(scale.min, rounded));
}

function nearestLevelLabel(levels: Array<{ score: number; label: string }>, score: number): string | null {
  let best: { score: number; label: string } | null = null;
  for (const level of levels) if (!best || Math.abs(level.score - score) < Math.abs(best.score - score)) best = level;
  return best?.label ?? null;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
