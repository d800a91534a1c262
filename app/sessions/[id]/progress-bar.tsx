import styles from "./session.module.css";

export type ProgressTone = "active" | "ok" | "bad" | "idle";

/** A bar of lines rated out of lines in all; the numbers are also written beside it by the caller. */
export function ProgressBar({
  rated,
  total,
  tone,
  label,
  large = false,
}: {
  rated: number;
  total: number;
  tone: ProgressTone;
  label: string;
  large?: boolean;
}) {
  const percent = total > 0 ? Math.min(100, Math.round((rated / total) * 100)) : 0;
  return (
    <div
      className={`${styles.progress}${large ? ` ${styles.progressLarge}` : ""}`}
      data-tone={tone}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={rated}
      aria-valuetext={`${rated} of ${total} lines`}
    >
      <span className={styles.progressFill} style={{ width: `${percent}%` }} />
    </div>
  );
}
