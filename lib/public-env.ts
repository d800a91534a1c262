/**
 * The browser's settings. Next inlines NEXT_PUBLIC_* only where they are written out
 * literally, so they are read here by name; this file imports nothing, so the browser
 * bundle carries neither zod nor the server's settings (those live in lib/env.ts).
 */
export function publicEnv(): { supabaseUrl: string | undefined; supabaseAnonKey: string | undefined } {
  return {
    supabaseUrl: process.env.NEXT_PUBLIC_SUPABASE_URL || undefined,
    supabaseAnonKey: process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY || undefined,
  };
}
