import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportFallback, reportThreads, threadsShortfall } from '../src/runtime/notices.ts';

describe('threadsShortfall', () => {
  const env = (cores: number, isolated: boolean, sharedArrayBuffer = isolated) => ({ cores, isolated, sharedArrayBuffer });

  it('names the two headers when a page that is not cross-origin isolated runs on one thread of several', () => {
    const reason = threadsShortfall(1, undefined, env(8, false));
    expect(reason).toMatch(/^WASM runs on 1 thread of 8 cores: the page is not cross-origin isolated/);
    expect(reason).toContain('Cross-Origin-Opener-Policy: same-origin');
    expect(reason).toContain('Cross-Origin-Embedder-Policy: require-corp');
  });

  it('says SharedArrayBuffer is missing when the page is isolated but the browser has none (WebKitGTK)', () => {
    expect(threadsShortfall(1, undefined, env(4, true, false))).toBe(
      'WASM runs on 1 thread of 4 cores: this browser has no SharedArrayBuffer, though the page is cross-origin isolated.',
    );
  });

  it('is null when nothing is lost: every core in use, numThreads asked for no more, or one core', () => {
    expect(threadsShortfall(8, undefined, env(8, true))).toBeNull();
    expect(threadsShortfall(2, 2, env(8, true))).toBeNull();
    expect(threadsShortfall(1, 1, env(8, false))).toBeNull();
    expect(threadsShortfall(1, undefined, env(1, false))).toBeNull();
  });

  it('counts a numThreads above what runs as lost', () => {
    expect(threadsShortfall(1, 4, env(8, false))).toMatch(/^WASM runs on 1 thread of 8 cores/);
  });
});

describe('the console notices', () => {
  afterEach(() => vi.restoreAllMocks());

  it('warn once each, however often they are reported', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    reportThreads('WASM runs on 1 thread of 8 cores: a');
    reportThreads('WASM runs on 1 thread of 8 cores: b');
    reportFallback('no adapter');
    reportFallback('no adapter');
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      '[resnet-web] WASM runs on 1 thread of 8 cores: a',
      '[resnet-web] running on WASM: no adapter',
    ]);
  });
});
