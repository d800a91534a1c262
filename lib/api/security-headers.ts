/**
 * The headers every response carries (#9), set in next.config.ts. The Content-Security-Policy
 * allows what the app really loads: its own scripts, styles, images and fonts, its own API
 * (fetch, EventSource) and, when NEXT_PUBLIC_SUPABASE_URL is set, Supabase (Realtime's
 * WebSocket). Inline scripts stay allowed: Next's statically rendered pages carry inline
 * bootstrap scripts, and nonces would force every page to render per request. What the
 * policy still stops: scripts, frames, forms and connections to any other site, plugins,
 * <base> hijacking, and being framed (clickjacking).
 */
export interface SecurityHeaderOptions {
  /** NEXT_PUBLIC_SUPABASE_URL, inlined into the browser code at build time, as these headers are. */
  supabaseUrl?: string;
  /** `next dev`: React's dev build and fast refresh need eval. */
  dev?: boolean;
}

/** https://x.supabase.co → its https and wss origins; anything unparsable adds nothing. */
function supabaseOrigins(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const { protocol, host } = new URL(url);
    if (protocol !== "https:" && protocol !== "http:") return [];
    return [`${protocol}//${host}`, `${protocol === "https:" ? "wss:" : "ws:"}//${host}`];
  } catch {
    return [];
  }
}

export function contentSecurityPolicy(options: SecurityHeaderOptions = {}): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'", ...(options.dev ? ["'unsafe-eval'"] : [])],
    // React's style={…} attributes and Recharts' inline styles.
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    // 'self' covers same-origin ws: too (fast refresh in next dev).
    "connect-src": ["'self'", ...supabaseOrigins(options.supabaseUrl)],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(" ")}`)
    .join("; ");
}

export function securityHeaders(options: SecurityHeaderOptions = {}): Array<{ key: string; value: string }> {
  return [
    { key: "Content-Security-Policy", value: contentSecurityPolicy(options) },
    // For browsers that predate frame-ancestors.
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    // Submission ids in URLs stay on this site.
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  ];
}
