import { describe, expect, it } from "vitest";
import { authorizeCronRequest } from "../../lib/api/cron-authorization";

describe("authorizeCronRequest (pure)", () => {
  it("accepts only the configured bearer secret", () => {
    expect(authorizeCronRequest("Bearer s3cret-value-0123456789", "s3cret-value-0123456789", true)).toEqual({ ok: true });
    expect(authorizeCronRequest("Bearer wrong", "s3cret-value-0123456789", true)).toMatchObject({ ok: false, status: 401 });
    expect(authorizeCronRequest(null, "s3cret-value-0123456789", false)).toMatchObject({ ok: false, status: 401 });
    expect(authorizeCronRequest("s3cret-value-0123456789", "s3cret-value-0123456789", false)).toMatchObject({ ok: false, status: 401 });
  });

  it("refuses to run unguarded in production, and runs unguarded only in development", () => {
    expect(authorizeCronRequest(null, undefined, true)).toMatchObject({
      ok: false,
      status: 503,
      message: expect.stringMatching(/CRON_SECRET/),
    });
    expect(authorizeCronRequest(null, undefined, false)).toEqual({ ok: true });
  });
});
