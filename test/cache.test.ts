import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../src/model/cache.ts';

describe('sha256Hex (the model integrity check)', () => {
  afterEach(() => vi.unstubAllGlobals());
  const inputs = [new Uint8Array(0), new TextEncoder().encode('abc'), new Uint8Array(3_000_017).map((_, i) => (i * 31) % 256)];
  const expected = inputs.map((b) => createHash('sha256').update(b).digest('hex'));

  it('matches node:crypto with WebCrypto', async () => {
    expect(globalThis.crypto?.subtle).toBeDefined();
    expect(await Promise.all(inputs.map(sha256Hex))).toEqual(expected);
  });
  it('matches node:crypto without WebCrypto (insecure http:// pages), so the check never lapses', async () => {
    vi.stubGlobal('crypto', undefined);
    expect(globalThis.crypto).toBeUndefined();
    expect(await Promise.all(inputs.map(sha256Hex))).toEqual(expected);
  });
});
