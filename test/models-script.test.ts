import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { progressLine } from '../src/tools/models-command.ts';
import { createHash } from 'node:crypto';
import { MODELS } from '../src/model/registry.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const root = path.resolve(import.meta.dirname, '..');
const committed = path.join(root, 'test/data/models');
// The CIFAR-10 class names as Python's json.dumps writes them: the exact bytes of cifar10-labels.json.
const CIFAR_LABELS = JSON.stringify(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'])
  .replaceAll('","', '", "');

/** `resnet-web models …` into a new folder, as a child process (the command as users run it). */
const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function runModels(...args: string[]) {
  return runModelsInto(mkdtempSync(path.join(tmpdir(), 'models-dest-')), ...args);
}
async function runModelsInto(dest: string, ...args: string[]) {
  tempDirs.push(dest);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'models', '--dest', dest, ...args], { cwd: root });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, out, dest };
}
/** An empty source folder, removed after the file's tests like the destinations. */
const empty = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'models-from-'));
  tempDirs.push(dir);
  return dir;
};
/** A local port nothing listens on: a download from it fails at once, as offline. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.on('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('npm run models', () => {
  it('copies a verified file, refuses one whose sha256 differs, and fails the run', async () => {
    const from = empty();
    writeFileSync(path.join(from, 'cifar10-labels.json'), CIFAR_LABELS);
    writeFileSync(path.join(from, 'resnet20-cifar10.onnx'), 'not the model');
    const r = await runModels('--from', from, '--no-download', '--only', 'resnet20-cifar10');
    expect(r.out).toMatch(/ok\s+cifar10-labels\.json \(.*sha256 verified/);
    expect(r.out).toMatch(/REFUSED\s+resnet20-cifar10\.onnx: sha256 mismatch/);
    expect(r.out).toContain('expected 2f1da8a650e5c0d7a5f788a2a65b2a46b598ed0ce7b359bf88a60a0a7deb7777');
    expect(r.status).toBe(1);
    expect(readFileSync(path.join(r.dest, 'cifar10-labels.json'), 'utf8')).toBe(CIFAR_LABELS);
    expect(existsSync(path.join(r.dest, 'resnet20-cifar10.onnx'))).toBe(false);
  });

  it('by default: the committed models, the generated ResNet-50 and the default resnet50, nothing else; what it cannot get is listed, exit 0', async () => {
    const r = await runModels('--no-download'); // the committed folder is the default --from
    expect(r.out).toMatch(/ok\s+resnet20-cifar10\.onnx \(1\.1 MB, sha256 verified, copied from test\/data\/models\)/);
    expect(r.out).toMatch(/ok\s+resnet50-imagenet-untrained\.onnx \(102\.1 MB, sha256 verified, generated in [\d.]+ s\)/);
    expect(r.out).toMatch(/missing\s+resnet50-v1-7\.onnx: no local copy \(downloads disabled\)/);
    expect(r.out).toMatch(/ready \(4\): resnet20-cifar10, resnet56-cifar10, resnet50-untrained, mobilenetv2-int8\n/);
    expect(r.out).toMatch(/could not get \(1\): resnet50\n/);
    expect(r.out).not.toMatch(/resnet152|resnet18/);
    expect(r.status).toBe(0);
    for (const m of ['resnet20-cifar10', 'resnet56-cifar10', 'mobilenetv2-int8', 'resnet50-untrained']) {
      expect(existsSync(path.join(r.dest, MODELS[m].url)), m).toBe(true);
    }
    // A second run finds every file in place (sha256 checked) and writes nothing.
    const again = await runModelsInto(r.dest, '--no-download');
    expect(again.out).toMatch(/ok\s+resnet50-imagenet-untrained\.onnx \(already there\)/);
    expect(again.out).not.toMatch(/generating|copied/);
    expect(again.status).toBe(0);
  }, 60_000);

  it('offline (the download fails): says so and still exits 0 while other models are ready', async () => {
    const offline = `http://127.0.0.1:${await closedPort()}/`;
    const r = await runModels('--only', 'resnet20-cifar10,resnet50', '--mirror', offline);
    expect(r.out).toMatch(/missing\s+resnet50-v1-7\.onnx: download failed \(ECONNREFUSED; offline\?\)/);
    expect(r.out).toMatch(/ready \(1\): resnet20-cifar10\n/);
    expect(r.out).toMatch(/could not get \(1\): resnet50\n  Without internet access: .* --from DIR/);
    expect(r.status).toBe(0);
    // Nothing at all to run: that fails.
    const none = await runModels('--from', empty(), '--only', 'resnet50', '--mirror', offline);
    expect(none.out).toContain('none of the wanted models is ready. Without internet access: copy the .onnx files');
    expect(none.out).toMatch(/pass --from DIR, or serve them yourself and pass --mirror URL/);
    expect(none.status).toBe(1);
  });

  it('downloads with a progress bar and checks the sha256 of what it got', async () => {
    const model = readFileSync(path.join(committed, 'mobilenetv2-12-int8.onnx'));
    const labels = readFileSync(path.join(committed, 'imagenet-labels.json'));
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url!);
      if (req.url === '/zoo/mobilenetv2-12-int8.onnx') res.writeHead(200, { 'content-length': model.length }).end(model);
      else if (req.url === '/zoo/imagenet-labels.json') res.end(labels);
      else if (req.url === '/bad/mobilenetv2-12-int8.onnx') res.end(model.subarray(0, 1000)); // truncated
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await runModels('--from', empty(), '--only', 'mobilenetv2-int8', '--mirror', `${base}/zoo`);
      expect(ok.out).toMatch(/mobilenetv2-12-int8\.onnx \[#{28}\] 100%  3\.7 MB \/ 3\.7 MB/);
      expect(ok.out).toMatch(/ok\s+mobilenetv2-12-int8\.onnx \(3\.7 MB, sha256 verified, downloaded from http/);
      expect(ok.status).toBe(0);
      expect(readFileSync(path.join(ok.dest, 'mobilenetv2-12-int8.onnx')).equals(model)).toBe(true);
      expect(requests).toEqual(['/zoo/mobilenetv2-12-int8.onnx', '/zoo/imagenet-labels.json']);

      const bad = await runModels('--from', empty(), '--only', 'mobilenetv2-int8', '--mirror', `${base}/bad`);
      expect(bad.out).toMatch(/REFUSED\s+mobilenetv2-12-int8\.onnx: sha256 mismatch/);
      expect(bad.out).toMatch(/missing\s+imagenet-labels\.json: download failed \(HTTP 404; offline\?\)/);
      expect(bad.status).toBe(1);
      expect(existsSync(path.join(bad.dest, 'mobilenetv2-12-int8.onnx'))).toBe(false);
    } finally {
      server.close();
    }
  });

  it('rejects an unknown model name, and --all with --only', async () => {
    const r = await runModels('--only', 'resnet9000');
    expect(r.out).toContain('unknown model "resnet9000"');
    expect(r.status).toBe(2);
    expect((await runModels('--all', '--only', 'resnet50')).status).toBe(2);
  });
});

describe('npm run models -- --precision', () => {
  it('writes the fp16 and int8 files of each fp32 model (pinned sha256), keeps good ones, remakes damaged ones', async () => {
    const r = await runModels('--no-download', '--only', 'resnet20-cifar10,mobilenetv2-int8', '--precision', 'fp16,int8');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/ok\s+resnet20-cifar10\.fp16\.onnx \(0\.6 MB = 50\.97 % of fp32, 39 weights fp16, sha256 verified/);
    expect(r.out).toMatch(/ok\s+resnet20-cifar10\.int8\.onnx \(0\.3 MB = 26\.80 % of fp32, 20 weights int8, sha256 verified/);
    expect(r.out).toMatch(/skip\s+mobilenetv2-int8 fp16: its file is already int8/);
    const pin = MODELS['resnet20-cifar10'].precisions!;
    expect(sha(readFileSync(path.join(r.dest, 'resnet20-cifar10.int8.onnx')))).toBe(pin.int8!.sha256);
    expect(sha(readFileSync(path.join(r.dest, 'resnet20-cifar10.fp16.onnx')))).toBe(pin.fp16!.sha256);

    const damaged = readFileSync(path.join(r.dest, 'resnet20-cifar10.int8.onnx'));
    damaged[500] ^= 1;
    writeFileSync(path.join(r.dest, 'resnet20-cifar10.int8.onnx'), damaged);
    const again = await runModelsInto(r.dest, '--no-download', '--only', 'resnet20-cifar10', '--precision', 'int8,fp16');
    expect(again.status).toBe(0);
    expect(again.out).toMatch(/ok\s+resnet20-cifar10\.fp16\.onnx \(already there/);
    expect(again.out).toMatch(/ok\s+resnet20-cifar10\.int8\.onnx \(0\.3 MB = 26\.80 %/);
    expect(sha(readFileSync(path.join(r.dest, 'resnet20-cifar10.int8.onnx')))).toBe(pin.int8!.sha256);
  }, 60_000);

  it('rejects an unknown precision', async () => {
    const r = await runModels('--no-download', '--only', 'resnet20-cifar10', '--precision', 'int4');
    expect(r.status).toBe(2);
    expect(r.out).toContain('--precision: unknown precision "int4"; known: fp16, int8');
  });
});

describe('progressLine', () => {
  it('draws a bar, the percentage, the sizes and the rate', () => {
    expect(progressLine('resnet50-v1-7.onnx', 51_291_670, 102_583_340, 10, 20)).toBe(
      '  resnet50-v1-7.onnx [##########----------]  50%  51.3 MB / 102.6 MB  5.1 MB/s',
    );
    expect(progressLine('x.onnx', 0, 100, 0, 4)).toBe('  x.onnx [----]   0%  0.0 MB / 0.0 MB');
    // No length from the server: no bar.
    expect(progressLine('x.onnx', 2_000_000, 0, 1)).toBe('  x.onnx  2.0 MB  2.0 MB/s');
  });
});
