import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { securityHeaders } from "./lib/api/security-headers";

export default function nextConfig(phase: string): NextConfig {
  return {
    // Server-only packages that must not be bundled.
    serverExternalPackages: ["postgres"],
    poweredByHeader: false,
    // On every response, pages, API routes and static files alike (#9).
    async headers() {
      const headers = securityHeaders({ supabaseUrl: process.env.NEXT_PUBLIC_SUPABASE_URL, dev: phase === PHASE_DEVELOPMENT_SERVER });
      return [{ source: "/:path*", headers }];
    },
  };
}
