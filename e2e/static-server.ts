/**
 * A plain static file server (no COOP/COEP, no transforms), as a user's hosting might be:
 * `dist/` must work from it. Serves the repository root. Usage: static-server.ts PORT
 *
 * Under `/csp/…` it serves the same files with a strict Content-Security-Policy (no inline
 * script, no eval: only same-origin scripts and WebAssembly compilation) and cross-origin
 * isolation (COOP/COEP, so that WASM threads run too).
 *
 * `serveStatic` is the handler, for a test that runs a server of its own (memory.spec.ts).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const types: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.onnx': 'application/octet-stream', '.map': 'application/json',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webmanifest': 'application/manifest+json',
  '.css': 'text/css', '.svg': 'image/svg+xml',
};
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'";
/** Under `/csp-no-wasm/…`: the same policy without 'wasm-unsafe-eval' (a site that forgot it), for the errors' CSP cause. */
const NO_WASM_CSP = STRICT_CSP.replace(" 'wasm-unsafe-eval'", '');
const CSP_PREFIXES: [string, string][] = [['/csp/', STRICT_CSP], ['/csp-no-wasm/', NO_WASM_CSP]];

/** Answers `req` with a file of the repository (see the module comment). */
export function serveStatic(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const [prefix, policy] = CSP_PREFIXES.find(([p]) => url.pathname.startsWith(p)) ?? ['/', null];
  const headers = policy
    ? { 'content-security-policy': policy, 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {};
  let file = path.join(root, decodeURIComponent(url.pathname.slice(prefix.length - 1)));
  if (file.endsWith(path.sep) || (existsSync(file) && statSync(file).isDirectory())) file = path.join(file, 'index.html');
  if (!file.startsWith(root) || !existsSync(file)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': types[path.extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
  createReadStream(file).pipe(res);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.argv[2] ?? 5180);
  createServer(serveStatic).listen(port, () => console.log(`static server on http://localhost:${port}/`));
}
