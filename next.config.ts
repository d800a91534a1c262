import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Server-only packages that must not be bundled.
  serverExternalPackages: ["postgres"],
  poweredByHeader: false,
};

export default nextConfig;
