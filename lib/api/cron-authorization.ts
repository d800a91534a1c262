import { createHash, timingSafeEqual } from "node:crypto";

export type CronAuthorization = { ok: true } | { ok: false; status: 401 | 503; message: string };

/** Compared as SHA-256 digests: equal length, so timingSafeEqual never throws and leaks no length. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Vercel Cron sends `Authorization: Bearer $CRON_SECRET`; without a secret, only
 * development runs unguarded. The comparison takes the same time whatever the guess.
 */
export function authorizeCronRequest(authorization: string | null, secret: string | undefined, production: boolean): CronAuthorization {
  if (!secret) {
    return production
      ? { ok: false, status: 503, message: "CRON_SECRET is not configured; the queue route refuses to run unguarded in production." }
      : { ok: true };
  }
  return authorization !== null && sameSecret(authorization, `Bearer ${secret}`)
    ? { ok: true }
    : { ok: false, status: 401, message: "Missing or wrong Authorization: Bearer <CRON_SECRET>." };
}
