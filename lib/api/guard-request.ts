import { networkInterfaces } from "node:os";
import { DomainError } from "../domain-error";
import { exposureEnv, type ExposureEnv } from "../env";

/**
 * The checks proxy.ts runs before any page or route (#9):
 * - the Host header must name this app (localhost, 127.0.0.1, [::1], HOST, ALLOWED_HOSTS,
 *   Vercel's own host names): a page on evil.example whose DNS is re-pointed at 127.0.0.1
 *   (DNS rebinding) sends `Host: evil.example` and is refused, so it cannot read essays;
 * - a state-changing request (POST, PUT, PATCH, DELETE) must come from the app's own pages:
 *   a browser sends Origin (or at least Sec-Fetch-Site) with it, and another site's form or
 *   fetch is refused. A request with neither (curl, Vercel Cron, the Edge Function, another
 *   server) carries no ambient browser credentials, so it is let through.
 */
export class RefusedRequestError extends DomainError {
  override name = "RefusedRequestError";
}

export interface RequestFacts {
  method: string;
  host: string | null;
  origin: string | null;
  secFetchSite: string | null;
  /** Set by a reverse proxy in front of the app (Vercel's, nginx): the name the browser used. */
  forwardedHost: string | null;
}

const STATE_CHANGING_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];
/** HOST values that mean "every interface": the machine's own addresses are then its names. */
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::"]);

/** The host name of a Host header value, lowercased, without port, brackets or a trailing dot; null if unreadable. */
export function hostNameOf(hostHeader: string | null): string | null {
  if (!hostHeader) return null;
  try {
    return new URL(`http://${hostHeader.trim()}`).hostname
      .replace(/^\[(.*)\]$/, "$1")
      .replace(/\.$/, "")
      .toLowerCase();
  } catch {
    return null;
  }
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((address) => address.address.toLowerCase()));
}

/** Every host name this app answers to; with HOST=0.0.0.0 also each address this machine has now (Wi-Fi moves). */
export function allowedHostNames(env: ExposureEnv, addresses: () => string[] = interfaceAddresses): Set<string> {
  const names = new Set([...LOOPBACK_NAMES, ...env.ALLOWED_HOSTS]);
  if (WILDCARD_HOSTS.has(env.HOST)) for (const address of addresses()) names.add(address);
  else names.add(env.HOST.toLowerCase());
  for (const vercel of [env.VERCEL_URL, env.VERCEL_BRANCH_URL, env.VERCEL_PROJECT_PRODUCTION_URL]) {
    const name = hostNameOf(vercel ?? null);
    if (name) names.add(name);
  }
  return names;
}

/** Origin names the same scheme-less host:port as the Host (or forwarded host) the request came in on. */
function isOwnOrigin(origin: string, hosts: Array<string | null>): boolean {
  let url: URL;
  try {
    url = new URL(origin); // "null" (a sandboxed frame, a file:// page) does not parse: refused
  } catch {
    return false;
  }
  return hosts.some((host) => {
    if (!host) return false;
    try {
      return new URL(`${url.protocol}//${host.trim()}`).host === url.host; // drops :80 and :443 alike on both sides
    } catch {
      return false;
    }
  });
}

/** An https/http origin on its default port whose name is listed (ALLOWED_HOSTS, HOST): not a loopback name. */
function isListedPublicOrigin(origin: string, allowedHosts: ReadonlySet<string>): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const name = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return url.port === "" && allowedHosts.has(name) && !LOOPBACK_NAMES.includes(name);
}

/** The checks of proxy.ts, for the routes that read a body (proxy.ts would buffer it whole): throws the refusal. */
export function assertRequestAllowed(request: Request): void {
  const refusal = refuseRequest(requestFacts(request), allowedHostNames(exposureEnv()));
  if (refusal) throw refusal;
}

export function requestFacts(request: Request): RequestFacts {
  return {
    method: request.method,
    host: request.headers.get("host"),
    origin: request.headers.get("origin"),
    secFetchSite: request.headers.get("sec-fetch-site"),
    forwardedHost: request.headers.get("x-forwarded-host"),
  };
}

/** A header value quoted in a sentence: short, and without control characters. */
const shown = (value: string) => `“${(value.length > 100 ? `${value.slice(0, 100)}…` : value).replace(/[\u0000-\u001f\u007f]/g, "")}”`;

/** Why this request must be refused, or null to let it through. */
export function refuseRequest(request: RequestFacts, allowedHosts: ReadonlySet<string>): RefusedRequestError | null {
  const hostName = hostNameOf(request.host);
  const forwardedHost = request.forwardedHost?.split(",")[0]?.trim() || null;
  // A reverse proxy's public name arrives as X-Forwarded-Host; a client can send one too, so it must be ours as well.
  const forwardedName = forwardedHost === null ? null : hostNameOf(forwardedHost);
  if (forwardedHost !== null && (forwardedName === null || !allowedHosts.has(forwardedName))) {
    return new RefusedRequestError(
      "misdirected",
      `This server does not answer to the host name ${shown(forwardedHost)}. Open Gradeline at its own address; an operator who serves it under that name adds it to ALLOWED_HOSTS.`,
    );
  }
  if (hostName === null || !allowedHosts.has(hostName)) {
    return new RefusedRequestError(
      "misdirected",
      `This server does not answer to the host name ${shown(request.host ?? "(none)")}. Open Gradeline at its own address; an operator who serves it under that name adds it to ALLOWED_HOSTS.`,
    );
  }
  if (!STATE_CHANGING_METHODS.has(request.method.toUpperCase())) return null;
  if (request.origin !== null) {
    if (isOwnOrigin(request.origin, [request.host, forwardedHost])) return null;
    // Behind a proxy that rewrites Host (nginx's default), the page's origin is a listed public name.
    if (isListedPublicOrigin(request.origin, allowedHosts)) return null;
    return new RefusedRequestError(
      "forbidden",
      `This request came from another site (${shown(request.origin)}), so it was refused: changes can only be made from Gradeline's own pages.`,
    );
  }
  if (request.secFetchSite?.toLowerCase() === "cross-site") {
    return new RefusedRequestError(
      "forbidden",
      "This request came from another site, so it was refused: changes can only be made from Gradeline's own pages.",
    );
  }
  return null;
}
