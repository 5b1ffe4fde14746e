/**
 * The cross-engine suite's static server: dist/, the suite pages, the committed models and test
 * photos; cross-origin isolated (COOP/COEP) or not. It counts the requests for each path, so a
 * test can tell a model served from the browser's cache from one downloaded again.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const ROUTES: [prefix: string, dir: string][] = [
  ['/dist/', 'dist'], ['/engines/', 'engines'], ['/models/', 'test/data/models'], ['/test-images/', 'test/data/images'],
];
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json',
  '.onnx': 'application/octet-stream', '.map': 'application/json', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png',
  '.webp': 'image/webp', '.gif': 'image/gif', '.svg': 'image/svg+xml',
};

export interface SuiteServer {
  url: string;
  /** Requests so far for a path (`/models/mobilenetv2-12-int8.onnx`). */
  requests(pathname: string): number;
  close(): Promise<void>;
}

export async function startServer(options: { isolate: boolean }): Promise<SuiteServer> {
  const counts = new Map<string, number>();
  const headers: Record<string, string> = options.isolate
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' }
    : {};
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
    if (process.env.ENGINES_DEBUG && pathname.endsWith('.onnx')) console.log('[server]', req.method, pathname, JSON.stringify(req.headers));
    const route = ROUTES.find(([prefix]) => pathname.startsWith(prefix));
    const dir = route && path.join(root, route[1]);
    const file = dir && path.join(dir, pathname.slice(route[0].length));
    if (!file || !file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    requests: (p) => counts.get(p) ?? 0,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
