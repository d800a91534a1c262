import { describe, expect, it } from "vitest";
import { CompletionRate, MAX_CLAIM_BATCH, planClaimSize } from "../../lib/queue/plan-claim-size";

describe("planClaimSize", () => {
  it("asks for the free handler slots while nothing has completed (pure)", () => {
    expect(planClaimSize(10, 0)).toBe(10);
    expect(planClaimSize(-3, 0)).toBe(0);
  });

  it("adds 50 ms of the observed completion rate as prefetch, never more than a batch (pure)", () => {
    expect(planClaimSize(2, 1_000)).toBe(2 + 50);
    expect(planClaimSize(0, 30_000)).toBe(MAX_CLAIM_BATCH); // 1,500 wanted
    expect(planClaimSize(-10, 1_000)).toBe(40);
  });
});

describe("CompletionRate", () => {
  it("divides a fresh worker's first burst by the time since its first completion, not a whole second (pure)", () => {
    const rate = new CompletionRate();
    for (let i = 0; i < 100; i++) rate.record(1_000 + i);
    expect(rate.perSecond(1_100)).toBe(1_000); // 100 in 100 ms
  });

  it("counts only the last second, and no less than 50 ms of it (pure)", () => {
    const rate = new CompletionRate();
    rate.record(0);
    rate.record(10);
    expect(rate.perSecond(10)).toBe(40); // 2 in the 50 ms floor
    rate.record(510);
    expect(rate.perSecond(1_010)).toBe(2); // 0 and 10 fell out: 1 in the 500 ms since the one at 510
    expect(rate.perSecond(1_510)).toBe(0);
  });
});
