/** One JSON response helper for every Edge Function, instead of `new Response(JSON.stringify(…))` in each. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}

export function errorResponse(status: number, message: string): Response {
  return jsonResponse({ error: { message } }, status);
}
