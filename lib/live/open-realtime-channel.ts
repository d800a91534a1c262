import { publicEnv } from "@/lib/public-env";
import type { LiveChannel, OpenLiveChannelOptions } from "@/lib/live/live-channel";

export interface RealtimeConfig {
  url: string;
  anonKey: string;
}

/** NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_ANON_KEY, or null to use SSE. */
export function realtimeConfig(): RealtimeConfig | null {
  const { supabaseUrl, supabaseAnonKey } = publicEnv();
  return supabaseUrl && supabaseAnonKey ? { url: supabaseUrl, anonKey: supabaseAnonKey } : null;
}

/**
 * The private Realtime channel `submission:<id>`. Database triggers broadcast each
 * INSERT/UPDATE of line_ratings, rating_overrides and submissions (graded_at) there with
 * realtime.broadcast_changes(); the messages carry raw rows, so the follower refetches
 * GET /api/submissions/:id instead of decoding them. Joining is authorised by RLS on
 * realtime.messages, so the signed-in user's JWT must reach Realtime before subscribe().
 */
export function openRealtimeChannel(config: RealtimeConfig, { submissionId, handlers }: OpenLiveChannelOptions): LiveChannel {
  let closed = false;
  let lost = false;
  let removeChannel = () => {};
  const lose = (reason: string) => {
    if (closed || lost) return;
    lost = true;
    removeChannel();
    handlers.onLost(reason);
  };

  void (async () => {
    try {
      // Loaded only on this branch, so the SSE-only build does not ship the client.
      const { createBrowserClient } = await import("@supabase/ssr");
      // createBrowserClient returns one shared client per page, holding the session from cookies.
      const supabase = createBrowserClient(config.url, config.anonKey);
      // Without a session this falls back to the anon key, which the RLS policy rejects → CHANNEL_ERROR → polling.
      await supabase.realtime.setAuth();
      if (closed) return;
      const channel = supabase.channel(`submission:${submissionId}`, { config: { private: true } });
      removeChannel = () => void supabase.removeChannel(channel);
      channel
        .on("broadcast", { event: "*" }, () => {
          if (!closed && !lost) handlers.onChange();
        })
        .subscribe((status, error) => {
          if (closed || lost) return;
          if (status === "SUBSCRIBED") handlers.onOpen();
          else lose(error?.message ?? `The Realtime channel reported ${status.toLowerCase().replace("_", " ")}.`);
        });
    } catch (error) {
      lose(`Realtime is unavailable: ${(error as Error).message}`);
    }
  })();

  return {
    close() {
      closed = true;
      removeChannel();
    },
  };
}
