const encoder = new TextEncoder();

/**
 * Whether a presented secret equals the expected one, in time that depends on neither where
 * they first differ nor how long the guess is: both are hashed with SHA-256 first (Web Crypto,
 * in Deno as in Node), and the two 32-byte digests are compared with an XOR loop that always
 * runs to the end. `===` stops at the first differing character, which lets a caller who
 * can time the answers recover the secret one character at a time (#9).
 */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [givenDigest, expectedDigest] = await Promise.all(
    [given, expected].map(async (value) => new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(value)))),
  );
  let difference = 0;
  for (let index = 0; index < expectedDigest!.length; index++) difference |= givenDigest![index]! ^ expectedDigest![index]!;
  return difference === 0;
}
