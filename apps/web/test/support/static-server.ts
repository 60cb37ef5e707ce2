import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** A running {@link serveStatic} server. */
export interface StaticServer {
  readonly url: string;
  /** Requests received per path. */
  readonly requests: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A static file server over `root` on a free localhost port (what `vite preview` does, minus
 * vite); `extra` maps further URL paths to files anywhere.
 */
export async function serveStatic(root: string, extra: Record<string, string> = {}): Promise<StaticServer> {
  const requests = new Map<string, number>();
  const server: Server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname));
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const file = extra[path] ?? join(root, path.endsWith('/') ? `${path}index.html` : path);
    if (!(file.startsWith(root) || extra[path])) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
