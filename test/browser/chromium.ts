// What the tests that open pages in headless Chromium share: Debian's browser and its flags,
// and a folder served on 127.0.0.1 (a module page must come over HTTP, not from file://).
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";

export const CHROMIUM = "/usr/bin/chromium";
/** Without the networking flags, Chromium's own background requests are refused by this machine's closed network. */
export const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];
export const chromiumAbsent = !existsSync(CHROMIUM);

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".json": "application/json" };

/** Serves the files of `site` (index.html at /), noting each path asked for in `requests`. */
export async function serveSite(site: string, requests: string[] = []): Promise<{ origin: string; close: () => Promise<void> }> {
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    requests.push(path);
    const file = join(site, path === "/" ? "index.html" : path.slice(1));
    if (!file.startsWith(site + "/") || !existsSync(file)) return void response.writeHead(404).end("not found");
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, close: () => new Promise((resolve) => http.close(() => resolve())) };
}
