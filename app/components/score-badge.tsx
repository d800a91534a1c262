import { formatScore, scoreLevel } from "@/app/components/score-level";

interface ScoreBadgeProps {
  score: number;
  scale: { min: number; max: number };
  /** "teacher" draws the badge outlined, so an override never looks like the model's rating. */
  variant?: "model" | "teacher";
  testId?: string;
}

/** A score coloured by where it sits on the scale; the text says the same for screen readers. */
export function ScoreBadge({ score, scale, variant = "model", testId }: ScoreBadgeProps) {
  const level = scoreLevel(score, scale);
  return (
    <span className={`score-badge score-${level}${variant === "teacher" ? " score-teacher" : ""}`} data-level={level} data-testid={testId}>
      {formatScore(score)}
      <span className="visually-hidden">
        {" "}
        out of {formatScore(scale.max)} ({level})
      </span>
    </span>
  );
}
