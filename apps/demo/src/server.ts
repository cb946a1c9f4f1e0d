import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  // WebAssembly.instantiateStreaming insists on this type.
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the built app (a folder of static files); `port: 0` picks a free one. */
export async function serveStatic(
  root: string,
  opts: { host?: string; port?: number } = {},
): Promise<StaticServer> {
  const info = await stat(join(resolve(root), 'index.html')).catch(() => null);
  if (!info)
    throw new Error(`${join(resolve(root), 'index.html')} not found: build the demo first`);
  // Compared against real paths below, so the folder itself may be reached through a link.
  const base = await realpath(root);

  const server: Server = createServer(async (req, res) => {
    const text = (status: number, body: string) =>
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      // A malformed escape such as "/%ff" is the client's error, not the server's end.
      text(400, 'bad request: malformed URL escape');
      return;
    }
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    // Refuse anything outside the served folder ("/../" after normalising), and symbolic
    // links inside it: the real path must be the requested one.
    const real = file.startsWith(base + sep) ? await realpath(file).catch(() => null) : null;
    const st = real === file ? await stat(file).catch(() => null) : null;
    if (!st?.isFile()) {
      text(404, `not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': st.size,
      'cache-control': 'no-cache',
    });
    createReadStream(file).pipe(res);
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
