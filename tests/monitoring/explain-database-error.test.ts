import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api/errors";
import { explainDatabaseError } from "../../lib/monitoring/explain-database-error";
import { sumJobCounts } from "../../lib/monitoring/get-queue-depth";

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("explainDatabaseError (pure)", () => {
  it("turns a refused connection into a 503 that names the code but not the host", () => {
    const explained = explainDatabaseError(withCode("connect ECONNREFUSED 10.1.2.3:5432", "ECONNREFUSED"));
    expect(explained).toBeInstanceOf(ApiError);
    expect((explained as ApiError).status).toBe(503);
    expect((explained as ApiError).message).toMatch(/could not be reached \(ECONNREFUSED\)/);
    expect((explained as ApiError).message).not.toMatch(/10\.1\.2\.3/);
  });

  it("treats connection SQLSTATEs, a missing database and a missing DATABASE_URL as unavailable", () => {
    for (const code of ["08006", "57P03", "3D000", "28P01", "CONNECT_TIMEOUT"]) {
      expect((explainDatabaseError(withCode("x", code)) as ApiError).status).toBe(503);
    }
    const missing = explainDatabaseError(new Error("DATABASE_URL: DATABASE_URL is not set"));
    expect((missing as ApiError).message).toMatch(/DATABASE_URL is not set/);
  });

  it("leaves other errors alone", () => {
    const syntax = withCode("syntax error", "42601");
    expect(explainDatabaseError(syntax)).toBe(syntax);
    expect(explainDatabaseError("odd")).toBe("odd");
  });
});

describe("sumJobCounts (pure)", () => {
  it("adds per-kind counts into per-status totals", () => {
    const row = { runnable: 1, delayed: 2, processing: 3, failed: 4, completed: 5, cancelled: 6 };
    expect(sumJobCounts([row, row])).toEqual({ runnable: 2, delayed: 4, processing: 6, failed: 8, completed: 10, cancelled: 12 });
    expect(sumJobCounts([])).toEqual({ runnable: 0, delayed: 0, processing: 0, failed: 0, completed: 0, cancelled: 0 });
  });
});
