import { describe, expect, it } from "vitest";
import { formatAgo, formatDuration, formatMinutesAgo, formatPercent, formatUsd } from "../../app/monitor/format-stats";

// The page joins numbers and units with no-break spaces; compare with plain ones.
const plain = (text: string) => text.replace(/\u00a0/g, " ");

describe("monitor formatting (pure)", () => {
  it("formats durations in the two largest units", () => {
    expect(plain(formatDuration(42.9))).toBe("42 s");
    expect(plain(formatDuration(725))).toBe("12 min 5 s");
    expect(plain(formatDuration(3 * 3600 + 12 * 60 + 7))).toBe("3 h 12 min");
    expect(plain(formatDuration(52 * 3600))).toBe("2 d 4 h");
    expect(plain(formatDuration(-5))).toBe("0 s");
  });

  it("labels chart minutes relative to the snapshot's own minute", () => {
    const reference = "2026-11-23T12:00:30.000Z";
    expect(formatMinutesAgo("2026-11-23T12:00:00.000Z", reference)).toBe("now");
    expect(plain(formatMinutesAgo("2026-11-23T11:45:00.000Z", reference))).toBe("−15 min");
    expect(plain(formatAgo("2026-11-23T11:58:30.000Z", reference))).toBe("2 min ago");
    expect(formatAgo(null, reference)).toBe("—");
  });

  it("shows small costs to the hundredth of a cent and no hit rate as a dash", () => {
    expect(formatUsd(0.0042)).toBe("$0.0042");
    expect(formatUsd(12.5)).toBe("$12.50");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatPercent(0.25)).toBe("25%");
    expect(formatPercent(null)).toBe("—");
  });
});
