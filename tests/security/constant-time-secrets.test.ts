import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { authorizeCronRequest } from "../../lib/api/cron-authorization";
import { sameSecret } from "../../supabase/functions/_shared/same-secret.ts";

// Secrets are compared in constant time everywhere (#9): `===` stops at the first differing
// character, so the time a refusal takes tells a patient caller how much of a guess was right.

const root = path.resolve(import.meta.dirname, "../..");
/** Everything that checks CRON_SECRET: the cron route's guard and the Edge Functions. */
const SECRET_CHECKERS = [
  "lib/api/cron-authorization.ts",
  "app/api/grading/process/route.ts",
  "supabase/functions/process-grading-jobs/handler.ts",
  "supabase/functions/process-grading-jobs/index.ts",
];

describe("constant-time secret comparison (#9)", () => {
  it("no secret or Authorization header is compared with === or !== (pure)", () => {
    // Each clause of a line (split at && || , ? :) that compares and names a secret or the header.
    const offenders = SECRET_CHECKERS.flatMap((file) =>
      readFileSync(path.join(root, file), "utf8")
        .split("\n")
        .flatMap((line, index) =>
          line
            .replace(/[!=]==?\s*(null|undefined)\b/g, "") // a null check compares no secret
            .split(/&&|\|\||,|\?|:(?!\/)/)
            .filter((clause) => /[!=]==/.test(clause) && /authorization|secret/i.test(clause))
            .map(() => `${file}:${index + 1}: ${line.trim()}`),
        ),
    );
    expect(offenders).toEqual([]);
  });

  it("sameSecret is right for equal, different, longer, shorter and non-ASCII values (pure)", async () => {
    expect(await sameSecret("Bearer s3cret-0123456789", "Bearer s3cret-0123456789")).toBe(true);
    for (const guess of [
      "",
      "Bearer s3cret-012345678",
      "Bearer s3cret-01234567890",
      "Bearer s3cret-0123456788",
      "Bearer S3CRET-0123456789",
    ]) {
      expect(await sameSecret(guess, "Bearer s3cret-0123456789"), guess).toBe(false);
    }
    expect(await sameSecret("Bearer ✓-ü", "Bearer ✓-ü")).toBe(true);
    expect(await sameSecret("Bearer ✓-u", "Bearer ✓-ü")).toBe(false);
    expect(authorizeCronRequest("Bearer s3cret-value-0123456789", "s3cret-value-0123456789", true)).toEqual({ ok: true });
    expect(authorizeCronRequest("Bearer s3cret-value-012345678", "s3cret-value-0123456789", true)).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it("a near miss takes as long to refuse as a guess wrong from its first character (printed measurement)", async () => {
    // A long secret makes the difference `===` leaks big enough to see over the noise.
    const secret = `Bearer ${"k".repeat(1 << 20)}`;
    const nearMiss = `${secret.slice(0, -1)}x`;
    const farMiss = `x${secret.slice(1)}`;
    /** Median times of the two guesses, measured in alternation so that noise falls on both alike. */
    const medians = async (compare: (guess: string) => unknown) => {
      const near: number[] = [];
      const far: number[] = [];
      for (let round = 0; round < 41; round++) {
        for (const [guess, times] of [
          [nearMiss, near],
          [farMiss, far],
        ] as const) {
          const started = performance.now();
          await compare(guess);
          times.push(performance.now() - started);
        }
      }
      const middle = (times: number[]) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
      return { near: middle(near), far: middle(far) };
    };
    const measured = {
      sameSecret: await medians((guess) => sameSecret(guess, secret)),
      cronGuard: await medians((guess) => authorizeCronRequest(guess, secret.slice("Bearer ".length), true)),
      "=== (for comparison)": await medians((guess) => guess === secret),
    };
    for (const [name, { near, far }] of Object.entries(measured)) {
      console.log(
        `[constant-time] ${name}: near miss ${near.toFixed(3)} ms, first-character miss ${far.toFixed(3)} ms (×${(near / far).toFixed(2)})`,
      );
    }
    // Generous: hashing dominates both, so only a comparison that stops early could be 3× apart.
    expect(measured.sameSecret.near / measured.sameSecret.far).toBeLessThan(3);
    expect(measured.cronGuard.near / measured.cronGuard.far).toBeLessThan(3);
  });
});
