import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
// The CIFAR-10 class names as Python's json.dumps writes them: the exact bytes of cifar10-labels.json.
const CIFAR_LABELS = JSON.stringify(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'])
  .replaceAll('","', '", "');

function runModels(from: string, ...extra: string[]) {
  const dest = mkdtempSync(path.join(tmpdir(), 'models-dest-'));
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'models', '--from', from, '--dest', dest, '--no-download', ...extra],
    { cwd: root, encoding: 'utf8' },
  );
  return { status: r.status, out: r.stdout + r.stderr, dest };
}

describe('npm run models', () => {
  it('copies a verified file, refuses one whose sha256 differs, and fails the run', () => {
    const from = mkdtempSync(path.join(tmpdir(), 'models-from-'));
    writeFileSync(path.join(from, 'cifar10-labels.json'), CIFAR_LABELS);
    writeFileSync(path.join(from, 'resnet20-cifar10.onnx'), 'not the model');
    const r = runModels(from, '--only', 'resnet20-cifar10');
    expect(r.out).toMatch(/ok\s+cifar10-labels\.json \(.*sha256 verified/);
    expect(r.out).toMatch(/REFUSED\s+resnet20-cifar10\.onnx: sha256 mismatch/);
    expect(r.out).toContain('expected 2f1da8a650e5c0d7a5f788a2a65b2a46b598ed0ce7b359bf88a60a0a7deb7777');
    expect(r.status).toBe(1);
    expect(readFileSync(path.join(r.dest, 'cifar10-labels.json'), 'utf8')).toBe(CIFAR_LABELS);
    expect(existsSync(path.join(r.dest, 'resnet20-cifar10.onnx'))).toBe(false);
  });

  it('lists what it could not get and does not fail for it', () => {
    const r = runModels(mkdtempSync(path.join(tmpdir(), 'models-empty-')), '--only', 'resnet56-cifar10,resnet50');
    expect(r.out).toMatch(/missing\s+resnet56-cifar10\.onnx: no local copy and no public download URL/);
    expect(r.out).toMatch(/missing\s+resnet50-v1-7\.onnx: no local copy \(downloads disabled\)/);
    expect(r.out).toMatch(/could not get \(2\): resnet50, resnet56-cifar10/);
    expect(r.status).toBe(0);
  });

  it('rejects an unknown model name', () => {
    const r = runModels(root, '--only', 'resnet9000');
    expect(r.out).toContain('unknown model "resnet9000"');
    expect(r.status).toBe(2);
  });
});
