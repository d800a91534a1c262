import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

/**
 * Just enough of Supabase Realtime for a browser's supabase-js to join channels and
 * receive broadcasts: the Phoenix channel protocol (serializer vsn 2.0.0, text frames of
 * `[join_ref, ref, topic, event, payload]`) on ws://…/realtime/v1/websocket, over real
 * sockets (the `ws` package). Heartbeats are answered, joins accepted or refused by a
 * policy (as Realtime's RLS check on realtime.messages would), and the test sends
 * broadcasts shaped like realtime.broadcast_changes() or cuts every connection.
 */

export interface JoinRequest {
  topic: string;
  /** The channel's join config: { broadcast, presence, postgres_changes, private }. */
  config: { private?: boolean; broadcast?: unknown; postgres_changes?: unknown[] } & Record<string, unknown>;
  /** The JWT sent with the join: the user's, or the anon key without a session. */
  accessToken: string | null;
  /** The apikey query parameter of the socket. */
  apiKey: string | null;
  at: number;
}

/** null accepts the join; a string refuses it with that reason. */
export type JoinPolicy = (join: JoinRequest) => string | null;

export interface FakeRealtimeServer {
  /** What NEXT_PUBLIC_SUPABASE_URL would be: supabase-js derives ws://…/realtime/v1 from it. */
  url: string;
  joins: JoinRequest[];
  /** Topics left with phx_leave, in order. */
  leaves: string[];
  /** Socket connections ever opened. */
  readonly connections: number;
  setJoinPolicy(policy: JoinPolicy): void;
  /** Topics with at least one joined socket now. */
  joinedTopics(): string[];
  /** Sends a broadcast to every socket joined to `topic`; returns how many got it. */
  broadcast(topic: string, event: string, payload: unknown): number;
  /** Ends every socket at once, as a network cut or a Realtime restart would. */
  dropConnections(): void;
  close(): Promise<void>;
}

type PhoenixMessage = [joinRef: string | null, ref: string | null, topic: string, event: string, payload: Record<string, unknown>];

export async function startFakeRealtimeServer(options: { joinPolicy?: JoinPolicy } = {}): Promise<FakeRealtimeServer> {
  let policy: JoinPolicy = options.joinPolicy ?? (() => null);
  const joins: JoinRequest[] = [];
  const leaves: string[] = [];
  let connections = 0;
  // socket → topic → join_ref of the live join
  const joined = new Map<WebSocket, Map<string, string>>();

  const http = createServer((_req, res) => {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: "only the websocket lives here" }));
  });
  const wss = new WebSocketServer({ noServer: true });
  http.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname !== "/realtime/v1/websocket") {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, url.searchParams.get("apikey")));
  });

  function send(ws: WebSocket, message: PhoenixMessage) {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }
  const reply = (ws: WebSocket, [joinRef, ref, topic]: PhoenixMessage, status: "ok" | "error", response: Record<string, unknown>) =>
    send(ws, [joinRef, ref, topic, "phx_reply", { status, response }]);

  function onConnection(ws: WebSocket, apiKey: string | null) {
    connections++;
    const topics = new Map<string, string>();
    joined.set(ws, topics);
    ws.on("close", () => joined.delete(ws));
    ws.on("message", (data, isBinary) => {
      if (isBinary) return; // client broadcasts (binary pushes) are not needed by the app
      let message: PhoenixMessage;
      try {
        message = JSON.parse(data.toString()) as PhoenixMessage;
      } catch {
        return;
      }
      const [joinRef, , topic, event, payload] = message;
      if (topic === "phoenix" && event === "heartbeat") return reply(ws, message, "ok", {});
      if (event === "phx_join") {
        const join: JoinRequest = {
          topic,
          config: (payload.config ?? {}) as JoinRequest["config"],
          accessToken: typeof payload.access_token === "string" ? payload.access_token : null,
          apiKey,
          at: Date.now(),
        };
        joins.push(join);
        const refusal = policy(join);
        if (refusal !== null) return reply(ws, message, "error", { reason: refusal });
        topics.set(topic, joinRef ?? "");
        return reply(ws, message, "ok", { postgres_changes: [] });
      }
      if (event === "phx_leave") {
        leaves.push(topic);
        topics.delete(topic);
        return reply(ws, message, "ok", {});
      }
      // access_token refreshes and anything else: accepted silently, as Realtime does for unknown pushes it ignores.
    });
  }

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = http.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    joins,
    leaves,
    get connections() {
      return connections;
    },
    setJoinPolicy(next) {
      policy = next;
    },
    joinedTopics() {
      return [...new Set([...joined.values()].flatMap((topics) => [...topics.keys()]))];
    },
    broadcast(topic, event, payload) {
      let delivered = 0;
      for (const [ws, topics] of joined) {
        if (!topics.has(topic)) continue;
        send(ws, [null, null, topic, "broadcast", { type: "broadcast", event, payload }]);
        delivered++;
      }
      return delivered;
    },
    dropConnections() {
      for (const ws of joined.keys()) ws.terminate();
      joined.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.close((error) => (error ? reject(error) : resolve()));
        http.closeAllConnections();
      }),
  };
}
