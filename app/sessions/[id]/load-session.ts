import { cache } from "react";
import { getSql } from "@/lib/db/server-sql";
import { getSessionState } from "@/lib/sessions/get-session-state";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The session's state, or null for an unknown or malformed id; cached per request (layout, metadata and page share it). */
export const loadSession = cache(async (id: string) => (UUID_PATTERN.test(id) ? getSessionState(getSql(), id) : null));
