import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { specFromConfig } from '../src/model/config.ts';
import { IMAGENET_MEAN, IMAGENET_STD } from '../src/model/registry.ts';
import { resolveModel } from '../src/model/resolve.ts';

const config = (file: string) => JSON.parse(readFileSync(new URL(`./data/configs/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const imagenet = { mean: IMAGENET_MEAN, std: IMAGENET_STD, pixelScale: 1 / 255 };

describe('specFromConfig: the configs it follows', () => {
  it('Hugging Face microsoft/resnet-50 (ConvNextImageProcessor): shorter side int(224 / 0.875) = 256, bicubic, crop 224', () => {
    expect(specFromConfig(config('hf-microsoft-resnet-50.json'))).toEqual({ inputSize: 224, resizeTo: 256, interpolation: 'bicubic', ...imagenet });
  });
  it('the same as a legacy ConvNextFeatureExtractor (size a number), and given as text', () => {
    const text = readFileSync(new URL('./data/configs/hf-convnext-feature-extractor-legacy.json', import.meta.url), 'utf8');
    expect(specFromConfig(text)).toEqual({ inputSize: 224, resizeTo: 256, interpolation: 'bicubic', ...imagenet });
  });
  it('BitImageProcessor: size.shortest_edge and crop_size; mean/std 0.5', () => {
    expect(specFromConfig(config('hf-bit-style.json'))).toEqual({
      inputSize: 224, resizeTo: 256, interpolation: 'bilinear', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], pixelScale: 1 / 255,
    });
  });
  it('timm resnet50.a1_in1k config.json: bicubic, floor(224 / 0.95) = 235', () => {
    expect(specFromConfig(config('timm-resnet50.a1_in1k.json'))).toEqual({ inputSize: 224, resizeTo: 235, interpolation: 'bicubic', ...imagenet });
    // the pretrained_cfg alone (timm.create_model(...).pretrained_cfg)
    expect(specFromConfig(config('timm-resnet50.a1_in1k.json').pretrained_cfg)).toMatchObject({ resizeTo: 235, interpolation: 'bicubic' });
  });
  it('a timm fine-tune with label_names: the labels come too', () => {
    expect(specFromConfig(config('timm-finetuned-3-classes.json')).labels).toEqual(['healthy', 'rust', 'scab']);
  });
  it('do_rescale false → pixelScale 1; do_normalize false → mean 0, std 1; crop_pct default of ConvNeXT (0.875)', () => {
    const c: Record<string, unknown> = { ...config('hf-microsoft-resnet-50.json'), do_rescale: false, do_normalize: false };
    delete c.crop_pct;
    expect(specFromConfig(c)).toEqual({ inputSize: 224, resizeTo: 256, interpolation: 'bicubic', mean: [0, 0, 0], std: [1, 1, 1], pixelScale: 1 });
  });
  it('a fast processor as transformers ≥ 4.46 saves it (unset settings as null, call-time keys) and a 4.40 one (_valid_processor_keys)', () => {
    const fast = {
      ...config('hf-microsoft-resnet-50.json'), image_processor_type: 'ConvNextImageProcessorFast',
      crop_size: null, do_center_crop: null, data_format: 'channels_first', default_to_square: false, device: null, input_data_format: null, return_tensors: null,
    };
    expect(specFromConfig(fast)).toEqual({ inputSize: 224, resizeTo: 256, interpolation: 'bicubic', ...imagenet });
    expect(specFromConfig({ ...config('hf-microsoft-resnet-50.json'), _valid_processor_keys: ['images', 'do_resize'] })).toMatchObject({ resizeTo: 256 });
    expect(() => specFromConfig({ ...fast, data_format: 'channels_last' })).toThrow(/data_format "channels_last"/);
    expect(() => specFromConfig({ ...config('hf-bit-style.json'), size: 256, default_to_square: true })).toThrow(/default_to_square is true/);
  });
  it('each result is a valid ModelSpec once a url is added', () => {
    for (const f of ['hf-microsoft-resnet-50.json', 'hf-bit-style.json', 'timm-resnet50.a1_in1k.json', 'timm-finetuned-3-classes.json']) {
      const spec = resolveModel({ url: 'model.onnx', ...specFromConfig(config(f)) }, '/models/');
      expect(spec.url).toBe('/models/model.onnx');
    }
  });
});

describe('specFromConfig: what it refuses, naming the field', () => {
  const hf = () => config('hf-microsoft-resnet-50.json');
  const timm = () => config('timm-resnet50.a1_in1k.json');
  const cases: [string, unknown, RegExp][] = [
    ['an unknown field', { ...hf(), do_pad: true, size_divisor: 32 }, /does not know: do_pad, size_divisor/],
    ['ViT (warps to height × width)', { ...hf(), image_processor_type: 'ViTImageProcessor' }, /ViTImageProcessor is not supported \(it resizes to a fixed height × width/],
    ['a height × width size', { ...hf(), size: { height: 224, width: 224 } }, /size .*does not keep the aspect ratio/],
    ['shortest_edge with height', { ...hf(), size: { shortest_edge: 224, height: 224 } }, /shortest_edge together with height contradict/],
    ['crop_pct and crop_size together', { ...hf(), crop_size: { height: 224, width: 224 } }, /has crop_size and crop_pct .*contradict/],
    ['crop_pct in a crop_size processor', { ...config('hf-bit-style.json'), crop_pct: 0.9 }, /crop_pct is not used by BitImageProcessor/],
    ['a non-square crop', { ...config('hf-bit-style.json'), crop_size: { height: 224, width: 256 } }, /crop_size .* is not square/],
    ["PIL's box filter", { ...hf(), resample: 4 }, /resample 4 is not supported/],
    ['no resample', (() => { const c = hf(); delete c.resample; return c; })(), /resample undefined is not supported.*it is missing/],
    ['no image_std', (() => { const c = hf(); delete c.image_std; return c; })(), /normalizes but has no image_std/],
    ['two-value mean', { ...hf(), image_mean: [0.5, 0.5] }, /image_mean must be three numbers/],
    ['ConvNeXT at 384 (warps)', { ...hf(), size: { shortest_edge: 384 } }, /size 384 ≥ 384/],
    ['do_resize false', { ...hf(), do_resize: false }, /do_resize is false/],
    ['timm squash crop', { ...timm(), pretrained_cfg: { ...(timm().pretrained_cfg as object), crop_mode: 'squash' } }, /crop_mode "squash" is not supported/],
    ['timm random interpolation', { ...timm(), pretrained_cfg: { ...(timm().pretrained_cfg as object), interpolation: 'random' } }, /interpolation "random" is not supported/],
    ['timm non-square input', { ...timm(), pretrained_cfg: { ...(timm().pretrained_cfg as object), input_size: [3, 224, 256] } }, /input_size is 224×256/],
    ['timm unknown field', { ...timm(), pretrained_cfg: { ...(timm().pretrained_cfg as object), resize_mode: 'x' } }, /does not know: resize_mode/],
    ['label_names against num_classes', { ...config('timm-finetuned-3-classes.json'), label_names: ['a', 'b'] }, /2 label_names but num_classes 3/],
    ['a model config.json', { architectures: ['ResNetForImageClassification'], id2label: { 0: 'a' } }, /model config\.json .* preprocessor_config\.json/],
    ['not a config', { foo: 1 }, /not a Hugging Face preprocessor_config\.json nor a timm pretrained_cfg \(fields: foo\)/],
    ['not JSON', '{ nope', /not JSON/],
  ];
  for (const [what, c, message] of cases) {
    it(what, () => {
      expect(() => specFromConfig(c)).toThrow(TypeError);
      expect(() => specFromConfig(c)).toThrow(message);
    });
  }
});
