import { NextResponse, type NextRequest } from "next/server";
import { toErrorResponse } from "@/lib/api/errors";
import { allowedHostNames, refuseRequest } from "@/lib/api/guard-request";
import { exposureEnv } from "@/lib/env";

/**
 * Runs before every page and route (Next 16's name for middleware): refuses a Host this app
 * does not answer to (DNS rebinding, 421) and a state-changing request from another site
 * (CSRF, 403). The rules are in lib/api/guard-request.ts.
 */
export function proxy(request: NextRequest) {
  const refusal = refuseRequest(
    {
      method: request.method,
      host: request.headers.get("host"),
      origin: request.headers.get("origin"),
      secFetchSite: request.headers.get("sec-fetch-site"),
      forwardedHost: request.headers.get("x-forwarded-host"),
    },
    allowedHostNames(exposureEnv()),
  );
  return refusal ? toErrorResponse(refusal) : NextResponse.next();
}

export const config = {
  // Everything but the build's static files, which hold no data.
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
