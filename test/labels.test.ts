import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compactModel } from '../src/tools/compact.ts';
import { metadataProps } from '../src/model/graph.ts';
import { labelsFromMetadata, parseLabels } from '../src/model/labels.ts';
import { decodeModel, encodeModel } from '../src/tools/onnx.ts';

describe('parseLabels', () => {
  it('an array, an index → name object (in index order), a config.json id2label, timm label_names', () => {
    expect(parseLabels(['a', 'b'], 'x')).toEqual(['a', 'b']);
    expect(parseLabels({ 2: 'c', 0: 'a', 1: 'b' }, 'x')).toEqual(['a', 'b', 'c']);
    expect(parseLabels({ architectures: ['ResNetForImageClassification'], id2label: { 0: 'tench', 1: 'goldfish' } }, 'x')).toEqual(['tench', 'goldfish']);
    expect(parseLabels({ architecture: 'resnet50', label_names: ['healthy', 'rust'] }, 'x')).toEqual(['healthy', 'rust']);
  });
  it('refuses what is not a full list of names, saying where', () => {
    expect(() => parseLabels({ 0: 'a', 2: 'c' }, 'labels.json')).toThrow(/labels in labels\.json are an object whose keys are not the class indices 0 … 1 \(found "2"\)/);
    expect(() => parseLabels({ 0: 'a', x: 'c' }, 'labels.json')).toThrow(/found "x"/);
    expect(() => parseLabels([1, 2], 'labels.json')).toThrow(/not a non-empty JSON array of strings/);
    expect(() => parseLabels([], 'labels.json')).toThrow(/not a non-empty JSON array of strings/);
    expect(() => parseLabels('cat', 'labels.json')).toThrow(/MODEL_LOAD_FAILED|not a JSON array of names/);
    expect(() => parseLabels({ 0: 7 }, 'labels.json')).toThrow(/class 0 a name that is not a string/);
  });
});

describe("labels in the model's metadata_props", () => {
  const resnet = readFileSync(new URL('./data/models/resnet56-cifar10.onnx', import.meta.url));
  const withProps = (props: Record<string, string>) => {
    const m = decodeModel(resnet);
    m.metadataProps = Object.entries(props).map(([key, value]) => ({ key, value }));
    return encodeModel(m);
  };

  it('reads metadata_props without parsing the graph; a model without them has none', () => {
    const bytes = withProps({ id2label: '{"0": "kitty", "1": "puppy"}', author: 'me' });
    expect(metadataProps(bytes)).toEqual({ id2label: '{"0": "kitty", "1": "puppy"}', author: 'me' });
    expect(metadataProps(resnet)).toEqual({});
    expect(labelsFromMetadata(metadataProps(bytes), 'm.onnx')).toEqual(['kitty', 'puppy']);
    expect(labelsFromMetadata({ labels: '["a","b","c"]' }, 'm.onnx')).toEqual(['a', 'b', 'c']);
    expect(labelsFromMetadata({ author: 'me' }, 'm.onnx')).toBeNull();
  });
  it('bad metadata is an error that names the key, not a silent fallback', () => {
    expect(() => labelsFromMetadata({ id2label: '{nope' }, 'm.onnx')).toThrow(/metadata "id2label" of m\.onnx is not JSON/);
    expect(() => labelsFromMetadata({ labels: '{"1": "b"}' }, 'm.onnx')).toThrow(/metadata "labels" of m\.onnx .*found "1"/);
  });
  it('the compact (fp16/int8) files keep metadata_props', () => {
    const bytes = withProps({ id2label: '{"0": "a"}' });
    expect(metadataProps(compactModel(bytes, 'int8').bytes)).toMatchObject({ id2label: '{"0": "a"}', 'resnet-web.precision': 'int8' });
  });
});
