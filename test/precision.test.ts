import { describe, expect, it } from 'vitest';
import { MODELS } from '../src/model/registry.ts';
import { resolveModel } from '../src/model/resolve.ts';
import { checkPrecision, modelFiles } from '../src/model/precision.ts';

describe('which files a model has', () => {
  it('lists compact files smallest first, then the original, with URLs resolved against modelBaseUrl', () => {
    const files = modelFiles(resolveModel('resnet50', 'https://cdn.example/m/'));
    expect(files.map((f) => [f.precision, f.url, f.compact])).toEqual([
      ['int8', 'https://cdn.example/m/resnet50-v1-7.int8.onnx', true],
      ['fp16', 'https://cdn.example/m/resnet50-v1-7.fp16.onnx', true],
      ['fp32', 'https://cdn.example/m/resnet50-v1-7.onnx', false],
    ]);
    // The zoo's QDQ models are int8 already and have no compact files.
    expect(modelFiles(resolveModel('mobilenetv2-int8', '/models/')).map((f) => f.precision)).toEqual(['int8']);
    expect(modelFiles(resolveModel('resnet50-int8', '/models/')).map((f) => f.precision)).toEqual(['int8']);
  });

  it('pins the sha256 of the compact files it can make here, and lists fp16 and int8 for every fp32 ResNet', () => {
    for (const m of Object.values(MODELS)) {
      if ((m.precision ?? 'fp32') !== 'fp32') continue;
      expect(Object.keys(m.precisions ?? {}).sort(), m.name).toEqual(['fp16', 'int8']);
      const pinned = m.generated || m.name.endsWith('-cifar10');
      for (const f of Object.values(m.precisions!)) expect(!!f.sha256, `${m.name} ${f.url}`).toBe(pinned);
    }
  });

  it('checks the precision option and the spec', () => {
    expect(checkPrecision('auto')).toBe('auto');
    expect(() => checkPrecision('fp8')).toThrow(RangeError);
    const base = MODELS['resnet56-cifar10'];
    expect(() => resolveModel({ ...base, precisions: { int4: { url: 'x' } } as never }, '/')).toThrow(/unknown precision "int4"/);
    expect(() => resolveModel({ ...base, precisions: { int8: { url: '' } } }, '/')).toThrow(/precisions.int8.url/);
    expect(() => resolveModel({ ...base, precision: 'fp64' as never }, '/')).toThrow(/ModelSpec.precision/);
  });
});
