// Formatting for the monitor. The locale is fixed so the server's render and the
// browser's hydration print the same text; times are shown relative to the snapshot's
// own clock (generatedAt) for the same reason, never the viewer's time zone.

const countFormat = new Intl.NumberFormat("en-US");
const percentFormat = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });

export function formatCount(value: number): string {
  return countFormat.format(value);
}

export function formatPercent(ratio: number | null): string {
  return ratio === null ? "—" : percentFormat.format(ratio);
}

/** Dollars; sub-dollar amounts keep four decimals, because a day of small calls costs cents. */
export function formatUsd(value: number): string {
  const digits = value !== 0 && Math.abs(value) < 1 ? 4 : 2;
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

// A number and its unit never wrap apart ("2 min" / "24 s", not "2 min 24" / "s").
const NBSP = "\u00a0";

function part(value: number, unit: string): string {
  return `${value}${NBSP}${unit}`;
}

/** "42 s", "12 min 5 s", "3 h 12 min", "2 d 4 h". */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  if (seconds < 60) return part(seconds, "s");
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? part(minutes, "min") : `${part(minutes, "min")} ${part(seconds % 60, "s")}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? part(hours, "h") : `${part(hours, "h")} ${part(minutes % 60, "min")}`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? part(days, "d") : `${part(days, "d")} ${part(hours % 24, "h")}`;
}

/** "4 min ago" for a timestamp, measured against the snapshot's clock. */
export function formatAgo(iso: string | null, reference: string): string {
  if (!iso) return "—";
  const seconds = (Date.parse(reference) - Date.parse(iso)) / 1000;
  if (seconds < 1) return "just now";
  return `${formatDuration(seconds)} ago`;
}

/** Whole minutes before the snapshot's own minute, for the chart's axis: "−45 min", "now". */
export function formatMinutesAgo(minuteIso: string, reference: string): string {
  const minutes = Math.floor((Date.parse(reference) - Date.parse(minuteIso)) / 60_000);
  return minutes <= 0 ? "now" : `−${part(minutes, "min")}`;
}
