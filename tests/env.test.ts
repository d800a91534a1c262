import { describe, expect, it } from "vitest";
import { toErrorResponse } from "../lib/api/errors";
import {
  checkServerEnv,
  cronEnv,
  databaseEnv,
  InvalidEnvironmentError,
  DEFAULT_DRAIN_CONCURRENCY,
  DEFAULT_OPENAI_MODEL,
  drainEnv,
  raterEnv,
  webEnv,
} from "../lib/env";
import { selectRater } from "../lib/grading/raters/select-rater";

describe("configuration (lib/env.ts)", () => {
  it("gives every setting its default, and treats an empty value as unset (pure)", () => {
    expect(drainEnv({})).toEqual({ GRADING_CONCURRENCY: DEFAULT_DRAIN_CONCURRENCY, GRADELINE_INLINE_DRAIN: true });
    expect(drainEnv({ GRADING_CONCURRENCY: "", GRADELINE_INLINE_DRAIN: "" })).toEqual(drainEnv({}));
    expect(raterEnv({ OPENAI_API_KEY: "  ", OPENAI_MODEL: "" })).toEqual({
      OPENAI_API_KEY: undefined,
      OPENAI_BASE_URL: undefined,
      OPENAI_MODEL: DEFAULT_OPENAI_MODEL,
    });
    expect(databaseEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
    expect(databaseEnv({}).GRADELINE_PG_PORT).toBe(54329);
    expect(cronEnv({ CRON_SECRET: "" })).toEqual({ CRON_SECRET: undefined, NODE_ENV: "development" });
    expect(webEnv({}).PORT).toBe(3000);
  });

  it("parses what is set", () => {
    expect(drainEnv({ GRADING_CONCURRENCY: "3", GRADELINE_INLINE_DRAIN: "0" })).toEqual({
      GRADING_CONCURRENCY: 3,
      GRADELINE_INLINE_DRAIN: false,
    });
    expect(
      databaseEnv({
        DATABASE_URL: "postgresql://u:p@db.example.com:6543/postgres",
        DATABASE_POOLER: "transaction",
        GRADELINE_PG_PORT: "54400",
      }),
    ).toEqual({
      DATABASE_URL: "postgresql://u:p@db.example.com:6543/postgres",
      DATABASE_POOLER: "transaction",
      GRADELINE_PG_PORT: 54400,
    });
    expect(raterEnv({ OPENAI_API_KEY: " sk-1 ", OPENAI_MODEL: "gemini-2.0-flash", OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" })).toEqual({
      OPENAI_API_KEY: "sk-1",
      OPENAI_MODEL: "gemini-2.0-flash",
      OPENAI_BASE_URL: "http://127.0.0.1:11434/v1",
    });
  });

  it.each([
    [() => drainEnv({ GRADING_CONCURRENCY: "eight" }), "GRADING_CONCURRENCY must be a whole number above 0"],
    [() => drainEnv({ GRADING_CONCURRENCY: "0" }), "GRADING_CONCURRENCY must be a whole number above 0"],
    [() => drainEnv({ GRADING_CONCURRENCY: "2.5" }), "GRADING_CONCURRENCY must be a whole number above 0"],
    [() => drainEnv({ GRADELINE_INLINE_DRAIN: "off" }), "GRADELINE_INLINE_DRAIN must be 0 or 1"],
    [() => databaseEnv({ DATABASE_URL: "localhost:5432" }), "DATABASE_URL must be a postgres:// URL"],
    [() => databaseEnv({ DATABASE_URL: "https://example.com" }), "DATABASE_URL must be a postgres:// URL"],
    [() => databaseEnv({ GRADELINE_PG_PORT: "70000" }), "GRADELINE_PG_PORT must be a port number (1-65535)"],
    [() => raterEnv({ OPENAI_BASE_URL: "api.openai.com" }), "OPENAI_BASE_URL must be a URL, e.g. https://api.openai.com/v1"],
    [() => cronEnv({ CRON_SECRET: "short" }), "CRON_SECRET must be at least 16 characters"],
  ])("a bad value fails with a sentence that names the variable (pure) %#", (parse, message) => {
    expect(parse).toThrow(message);
  });

  it("the rater follows the rater settings (pure)", () => {
    expect(selectRater({}).id).toMatch(/^local:/);
    expect(selectRater({ OPENAI_API_KEY: "sk-1" }).id).toBe(`openai:${DEFAULT_OPENAI_MODEL}`);
    expect(() => selectRater({ OPENAI_API_KEY: "sk-1", OPENAI_BASE_URL: "nope" })).toThrow(/OPENAI_BASE_URL must be a URL/);
  });

  it("checkServerEnv reads every server group at once, so start-up fails, not the first request (pure)", () => {
    expect(() => checkServerEnv({})).not.toThrow();
    expect(() => checkServerEnv({ GRADELINE_INLINE_DRAIN: "yes" })).toThrow("GRADELINE_INLINE_DRAIN must be 0 or 1");
    expect(() => checkServerEnv({ CRON_SECRET: "short" })).toThrow(InvalidEnvironmentError);
  });

  it("a request that meets a bad setting gets 503 without the setting's details", async () => {
    const response = toErrorResponse(new InvalidEnvironmentError("CRON_SECRET must be at least 16 characters"));
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("misconfigured");
    expect(body.error.message).not.toContain("CRON_SECRET");
  });
});
