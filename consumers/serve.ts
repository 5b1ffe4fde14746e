/**
 * A static server for the consumer apps' builds: files from the first folder that has them,
 * `.wasm` as application/wasm. Options: cross-origin isolation (COOP/COEP, for WASM threads) and
 * CORS (a server standing in for a CDN).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json',
  '.onnx': 'application/octet-stream', '.jpg': 'image/jpeg', '.css': 'text/css', '.map': 'application/json',
};

export interface Served {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function serve(dirs: string[], options: { isolate?: boolean; cors?: boolean } = {}): Promise<Served> {
  const headers: Record<string, string> = {};
  if (options.isolate) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
  if (options.cors) Object.assign(headers, { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' });
  const server = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    for (const dir of dirs) {
      let file = path.join(dir, rel);
      if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
      if (!file.startsWith(dir) || !existsSync(file)) continue;
      res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
      createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404, headers).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return { server, url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
