import type { GradingTransport } from "@/lib/hooks/use-grading-stream";

const text: Record<GradingTransport, string> = { live: "Live", polling: "Polling", connecting: "Connecting…" };
const hint: Record<GradingTransport, string> = {
  live: "Ratings appear the moment they are written.",
  polling: "The live connection is down: checking for new ratings every 2 seconds.",
  connecting: "Connecting to the live feed.",
};

/** How this page hears about new ratings. */
export function TransportBadge({ transport }: { transport: GradingTransport }) {
  return (
    <span
      role="status"
      className={`transport-badge transport-${transport}`}
      data-testid="transport-badge"
      data-transport={transport}
      title={hint[transport]}
    >
      <span className="transport-dot" aria-hidden="true" />
      {text[transport]}
    </span>
  );
}
