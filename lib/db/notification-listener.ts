import { hostname } from "node:os";
import postgres from "postgres";
import { serverDatabaseUrl } from "../env";
import { isTransactionPoolerUrl } from "./sql";

/** Subscribe with this key to hear every notification on a channel (a class session's stream). */
export const ANY_KEY = "*";

export interface NotificationHandlers {
  /** A notification on the channel whose payload is the subscribed key (or any payload, for ANY_KEY). */
  onNotify(payload: string): void;
  /** LISTEN went down (notifications may be missed: poll) or came back (catch up once). */
  onListeningChange?(listening: boolean): void;
}

export interface NotificationSubscription {
  /** Settles once this channel's first LISTEN attempt has (listening or not), so a catch-up read after it misses nothing. */
  ready: Promise<void>;
  unsubscribe(): void;
}

export interface NotificationListener {
  /** True while LISTEN holds on a live connection, i.e. notifications arrive. */
  readonly listening: boolean;
  /** Why LISTEN is not available, when it never can be (a transaction pooler); null otherwise. */
  readonly unavailableReason: string | null;
  subscribe(channel: string, key: string, handlers: NotificationHandlers): NotificationSubscription;
  /** Ends the connection; subscribers are told LISTEN went down. */
  close(): Promise<void>;
}

export interface NotificationListenerOptions {
  applicationName?: string;
  /** While listening, a `select 1` this often proves the connection is alive (a half-open TCP connection never closes by itself). */
  heartbeatMs?: number;
  /** Reconnect waits: doubling from the first to the last. */
  reconnectDelayMs?: { initial: number; max: number };
}

const DEFAULT_HEARTBEAT_MS = 30_000;
const HEARTBEAT_TIMEOUT_MS = 10_000;
const DEFAULT_RECONNECT_DELAY_MS = { initial: 250, max: 5_000 };

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * One LISTEN connection, fanned out in memory to every subscriber by channel and payload:
 * a thousand open streams cost one database session, not a thousand (#9). Connects on the
 * first subscription; when the connection drops (or stops answering its heartbeat) it
 * tells every subscriber, reconnects with backoff, re-LISTENs, and tells them again so
 * they catch up on what they may have missed. Behind a transaction pooler LISTEN cannot
 * work, so it never tries and `listening` stays false (streams poll).
 */
export function createNotificationListener(url: string, options: NotificationListenerOptions = {}): NotificationListener {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const delays = options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS;
  const unavailableReason = isTransactionPoolerUrl(url)
    ? "DATABASE_URL goes through a transaction pooler, where LISTEN cannot work: live streams poll instead."
    : null;

  const byChannel = new Map<string, Map<string, Set<NotificationHandlers>>>();
  /** Channels LISTENed on the current connection, each with its LISTEN attempt. */
  let listened = new Map<string, Promise<void>>();
  let client: postgres.Sql | null = null;
  let listening = false;
  let closed = false;
  let connecting: Promise<void> | null = null;
  let failures = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let heartbeatTimer: ReturnType<typeof setInterval> | null = null;

  const everyone = () => [...byChannel.values()].flatMap((byKey) => [...byKey.values()].flatMap((set) => [...set]));
  const setListening = (next: boolean) => {
    if (listening === next) return;
    listening = next;
    for (const handlers of everyone()) handlers.onListeningChange?.(next);
  };

  const dispatch = (channel: string, payload: string) => {
    const byKey = byChannel.get(channel);
    if (!byKey) return;
    for (const handlers of byKey.get(payload) ?? []) handlers.onNotify(payload);
    for (const handlers of byKey.get(ANY_KEY) ?? []) handlers.onNotify(payload);
  };

  /** The connection is gone or unusable: drop it, say so, and try again after a backoff. */
  const lose = (lost: postgres.Sql) => {
    if (lost !== client) return;
    client = null;
    listened = new Map();
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    heartbeatTimer = null;
    setListening(false);
    void lost.end({ timeout: 0 }).catch(() => {});
    scheduleReconnect();
  };

  const scheduleReconnect = () => {
    if (closed || reconnectTimer) return;
    const delay = Math.min(delays.max, delays.initial * 2 ** failures);
    failures++;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void connect();
    }, delay);
    reconnectTimer.unref?.();
  };

  const listenOn = (sql: postgres.Sql, channel: string): Promise<void> => {
    let attempt = listened.get(channel);
    if (!attempt) {
      attempt = sql.unsafe(`listen ${quoteIdentifier(channel)}`).then(() => undefined);
      listened.set(channel, attempt);
    }
    return attempt;
  };

  /** LISTEN on the live connection, if there is one; a failure there means the connection is gone. */
  const listenOnCurrent = (channel: string): Promise<void> => {
    const sql = client;
    if (!sql || !listening) return Promise.resolve();
    return listenOn(sql, channel).catch(() => lose(sql));
  };

  const connect = (): Promise<void> => {
    if (closed || unavailableReason) return Promise.resolve();
    connecting ??= (async () => {
      // postgres.js calls `onnotify` for every NOTIFY on its connections; its typings leave it out.
      const connectionOptions: postgres.Options<Record<string, never>> & { onnotify: (channel: string, payload: string) => void } = {
        max: 1,
        // A LISTEN session must stay put: no idle or lifetime recycling, no prepared statements.
        idle_timeout: 0,
        max_lifetime: null,
        prepare: false,
        fetch_types: false,
        connect_timeout: 10,
        onnotice: () => {},
        onnotify: dispatch,
        onclose: () => lose(sql),
        connection: { application_name: options.applicationName ?? `gradeline-listen ${hostname().slice(0, 24)}-${process.pid}` },
      };
      const sql: postgres.Sql = postgres(url, connectionOptions);
      client = sql;
      try {
        await Promise.all([...byChannel.keys()].map((channel) => listenOn(sql, channel)));
        if (client !== sql) return; // lost while connecting
        failures = 0;
        heartbeatTimer = setInterval(() => void heartbeat(sql), heartbeatMs);
        heartbeatTimer.unref?.();
        setListening(true);
      } catch {
        lose(sql);
      }
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  const heartbeat = async (sql: postgres.Sql) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("heartbeat timed out")), HEARTBEAT_TIMEOUT_MS);
    });
    try {
      await Promise.race([sql`select 1`, timeout]);
    } catch {
      lose(sql);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    get listening() {
      return listening;
    },
    unavailableReason,
    subscribe(channel, key, handlers) {
      const byKey = byChannel.get(channel) ?? new Map<string, Set<NotificationHandlers>>();
      byChannel.set(channel, byKey);
      const set = byKey.get(key) ?? new Set<NotificationHandlers>();
      byKey.set(key, set);
      set.add(handlers);

      let ready: Promise<void>;
      if (closed || unavailableReason || reconnectTimer) {
        ready = Promise.resolve(); // down and retrying (or never): the subscriber polls meanwhile
      } else if (connecting) {
        // A connection on its way may have started before this channel existed: LISTEN it too once up.
        ready = connecting.then(() => listenOnCurrent(channel));
      } else if (client) {
        ready = listenOnCurrent(channel);
      } else {
        ready = connect();
      }
      return {
        ready,
        unsubscribe() {
          set.delete(handlers);
          if (set.size === 0 && byKey.get(key) === set) byKey.delete(key);
        },
      };
    },
    async close() {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      reconnectTimer = heartbeatTimer = null;
      const current = client;
      client = null;
      setListening(false);
      await current?.end({ timeout: 1 });
    },
  };
}

// One per server process; Next may evaluate this module more than once.
const globalForListener = globalThis as unknown as { gradelineNotificationListener?: NotificationListener };

/** The Next server's one listener on DATABASE_URL, shared by every open stream. */
export function getNotificationListener(): NotificationListener {
  globalForListener.gradelineNotificationListener ??= createNotificationListener(serverDatabaseUrl());
  return globalForListener.gradelineNotificationListener;
}
