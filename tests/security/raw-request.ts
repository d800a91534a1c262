import { request } from "node:http";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request with exactly the headers given, Host included (fetch will not send a
 * forged Host), as curl, a rebinding page or another site's form would send it.
 * `host: null` sends no Host header at all.
 */
export function rawRequest(
  url: string,
  options: { method?: string; host?: string | null; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...options.headers };
  if (options.host !== null) headers.host = options.host ?? target.host;
  if (options.body !== undefined) headers["content-length"] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? "GET",
        headers,
        setHost: false,
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    sent.on("error", reject);
    sent.end(options.body);
  });
}
