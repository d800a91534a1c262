import { describe, expect, it } from "vitest";
import { toErrorResponse } from "../../lib/api/errors";
import { MAX_RECONNECT_DELAY_SECONDS, reconnectDelaySeconds } from "../../lib/db/sql";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

async function answer(error: unknown) {
  const response = toErrorResponse(error);
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    body: (await response.json()) as { error: { code: string; message: string } },
  };
}

describe("toErrorResponse for database errors (pure)", () => {
  it("answers a refused connection with 503, Retry-After and a sentence without the host (#7)", async () => {
    const { status, retryAfter, body } = await answer(withCode("connect ECONNREFUSED 10.1.2.3:5432", "ECONNREFUSED"));
    expect(status).toBe(503);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(body).toEqual({
      error: { code: "unavailable", message: "The database is not answering right now; try again in a few seconds." },
    });
  });

  it("finds the connection error inside an AggregateError or a cause (#7)", async () => {
    // Node's happy-eyeballs connect reports each address it tried.
    const aggregate = new AggregateError([withCode("connect ECONNREFUSED ::1:5432", "ECONNREFUSED")], "");
    expect((await answer(aggregate)).status).toBe(503);
    expect((await answer(new Error("query failed", { cause: withCode("terminating connection", "57P01") }))).status).toBe(503);
  });

  it("answers wrong credentials or a missing database with a 503 that asks for the operator (#7)", async () => {
    for (const code of ["28P01", "3D000"]) {
      const { status, body } = await answer(withCode(`password authentication failed for user "app" on db.internal`, code));
      expect(status).toBe(503);
      expect(body.error.code).toBe("misconfigured");
      expect(body.error.message).not.toMatch(/db\.internal|app"/);
    }
  });

  it("keeps any other database error a 500 (#7)", async () => {
    expect((await answer(withCode("syntax error at or near", "42601"))).status).toBe(500);
    expect((await answer(withCode("duplicate key value", "23505"))).status).toBe(500);
  });
});

describe("reconnectDelaySeconds (pure)", () => {
  it("grows like postgres.js's backoff but never past the cap (#7)", () => {
    expect(reconnectDelaySeconds(1, () => 0.999)).toBeCloseTo(0.03, 2);
    expect(reconnectDelaySeconds(20, () => 0.999)).toBeLessThanOrEqual(MAX_RECONNECT_DELAY_SECONDS);
    expect(reconnectDelaySeconds(20, () => 0)).toBe(MAX_RECONNECT_DELAY_SECONDS / 2);
  });
});
