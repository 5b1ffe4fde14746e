import { describe, expect, it } from 'vitest';
import { MODELS, resolveModel, resolveUrl } from '../src/models.ts';

describe('model registry', () => {
  it('knows the required models with consistent specs', () => {
    for (const name of ['resnet50', 'resnet18', 'resnet34', 'resnet101', 'resnet152', 'resnet50-int8',
      'resnet20-cifar10', 'resnet56-cifar10', 'resnet50-untrained', 'mobilenetv2-int8']) {
      const m = MODELS[name];
      expect(m, name).toBeDefined();
      expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(m.resizeTo).toBeGreaterThanOrEqual(m.inputSize);
      expect(m.inputName && m.outputName).toBeTruthy();
    }
    expect(MODELS.resnet50.source).toMatch(/^https:\/\/.*resnet50-v1-7\.onnx$/);
    expect(MODELS['resnet56-cifar10']).toMatchObject({ inputSize: 32, resizeTo: 32, classes: 10 });
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
