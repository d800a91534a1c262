import { NextResponse, type NextRequest } from "next/server";
import { toErrorResponse } from "@/lib/api/errors";
import { allowedHostNames, refuseRequest, requestFacts } from "@/lib/api/guard-request";
import { exposureEnv } from "@/lib/env";

/**
 * Runs before every page and route (Next 16's name for middleware): refuses a Host this app
 * does not answer to (DNS rebinding, 421) and a state-changing request from another site
 * (CSRF, 403). The rules are in lib/api/guard-request.ts.
 */
export function proxy(request: NextRequest) {
  const refusal = refuseRequest(requestFacts(request), allowedHostNames(exposureEnv()));
  return refusal ? toErrorResponse(refusal) : NextResponse.next();
}

export const config = {
  // Everything but the build's static files, which hold no data, and the routes that read
  // a body: Next copies the body of a request that passes through the proxy into memory
  // (up to proxyClientMaxBodySize, cutting off the rest) before the route runs, which
  // undoes the routes' streaming limits. Those routes run the same checks themselves
  // (assertRequestAllowed in lib/api/guard-request.ts); tests/security covers both.
  matcher: [
    "/((?!_next/static|_next/image|favicon.ico|api/submissions$|api/submissions/[^/]+/lines/[^/]+/override$|api/submissions/[^/]+/criteria/[^/]+/override$|api/sessions$|api/documents/text$|api/grade/stream$|api/assignments$|api/assignments/[^/]+$).*)",
  ],
};
