/** A failed API call, carrying the server's own message (`{ error: { code, message } }`). */
export class RequestError extends Error {
  override name = "RequestError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
  }
}

async function readErrorMessage(response: Response): Promise<{ message: string; code: string | null }> {
  const fallback = `The server answered ${response.status} ${response.statusText}`.trim() + ".";
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    const message = typeof body.error?.message === "string" ? body.error.message : fallback;
    return { message, code: typeof body.error?.code === "string" ? body.error.code : null };
  } catch {
    return { message: fallback, code: null };
  }
}

/**
 * fetch for the app's JSON API: resolves with the parsed body on 2xx, and otherwise
 * throws a RequestError whose message is the server's sentence, ready to show
 * beside the form that sent it.
 */
export async function requestJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    const headers = init.body && !(init.body instanceof FormData) ? { "content-type": "application/json", ...init.headers } : init.headers;
    response = await fetch(url, { cache: "no-store", ...init, headers });
  } catch {
    throw new RequestError("The server could not be reached. Check your connection and try again.", 0, null);
  }
  if (!response.ok) {
    const { message, code } = await readErrorMessage(response);
    throw new RequestError(message, response.status, code);
  }
  return (await response.json()) as T;
}

export const errorMessageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
