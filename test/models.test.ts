import { describe, expect, it } from 'vitest';
import { MODELS } from '../src/model/registry.ts';
import { resolveModel, resolveUrl } from '../src/model/resolve.ts';

describe('model registry', () => {
  it('knows the required models with consistent specs', () => {
    for (const name of ['resnet50', 'resnet18', 'resnet34', 'resnet101', 'resnet152', 'resnet50-int8',
      'resnet50-v2', 'resnet101-v2', 'resnet152-v2', 'resnet20-cifar10', 'resnet56-cifar10', 'resnet50-untrained', 'mobilenetv2-int8']) {
      const m = MODELS[name];
      expect(m, name).toBeDefined();
      expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(m.resizeTo).toBeGreaterThanOrEqual(m.inputSize);
      expect(m.inputName && m.outputName).toBeTruthy();
    }
    expect(MODELS.resnet50.source).toMatch(/^https:\/\/.*resnet50-v1-7\.onnx$/);
    expect(MODELS['resnet56-cifar10']).toMatchObject({ inputSize: 32, resizeTo: 32, classes: 10 });
  });
  it('the ResNet v2 files are more accurate than v1 at the same depth (the zoo\'s top-1)', () => {
    for (const depth of [50, 101, 152]) {
      const v1 = MODELS[`resnet${depth}`];
      const v2 = MODELS[`resnet${depth}-v2`];
      expect(v2.top1!).toBeGreaterThan(v1.top1!);
      expect(v2.source).toBe(`https://github.com/onnx/models/raw/main/validated/vision/classification/resnet/model/resnet${depth}-v2-7.onnx`);
      expect(v2).toMatchObject({ inputSize: 224, resizeTo: 256, classes: 1000, synsets: 'imagenet-1k', inputName: 'data' });
    }
  });
  it('checks the preprocessing fields of a spec', () => {
    const base = { url: 'm.onnx', inputSize: 224, resizeTo: 256, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
    expect(resolveModel({ ...base, interpolation: 'lanczos', layout: 'NHWC', channelOrder: 'BGR', pixelScale: 1 }, '/').layout).toBe('NHWC');
    expect(resolveModel(base, '/').labels).toBeUndefined(); // from the model's metadata, at load
    expect(() => resolveModel({ ...base, interpolation: 'cubic' as 'bicubic' }, '/')).toThrow(/interpolation must be 'nearest', 'bilinear', 'bicubic', 'lanczos' or left out, got "cubic"/);
    expect(() => resolveModel({ ...base, layout: 'CHW' as 'NCHW' }, '/')).toThrow(/layout must be 'NCHW', 'NHWC'/);
    expect(() => resolveModel({ ...base, channelOrder: 'rgb' as 'RGB' }, '/')).toThrow(/channelOrder/);
    expect(() => resolveModel({ ...base, pixelScale: 0 }, '/')).toThrow(/pixelScale must be a positive number/);
    expect(() => resolveModel({ ...base, labels: [] }, '/')).toThrow(/labels must be a URL, a non-empty array/);
  });
  it('resolves names, relative URLs and rejects bad specs', () => {
    const spec = resolveModel('resnet56-cifar10', 'https://cdn.example/models/');
    expect(spec.url).toBe('https://cdn.example/models/resnet56-cifar10.onnx');
    expect(spec.labels).toBe('https://cdn.example/models/cifar10-labels.json');
    expect(() => resolveModel('resnet9000', '/')).toThrow(/Unknown model "resnet9000"/);
    const bad = { ...MODELS.resnet50, resizeTo: 100 };
    expect(() => resolveModel(bad, '/')).toThrow(RangeError);
    expect(() => resolveModel({ ...MODELS.resnet50, std: [1, 0, 1] }, '/')).toThrow(/std/);
  });
  it('joins a relative base without a page location', () => {
    expect(resolveUrl('a.onnx', '/models')).toBe('/models/a.onnx');
    expect(resolveUrl('https://x.test/a.onnx', '/models/')).toBe('https://x.test/a.onnx');
  });
});
