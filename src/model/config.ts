/**
 * `specFromConfig`: the preprocessing a model was trained with, read from the config its training
 * pipeline ships, as `ModelSpec` fields. Two formats:
 * - Hugging Face `preprocessor_config.json` (transformers' image processors: ConvNeXT's, which
 *   `microsoft/resnet-*` use, BiT's and CLIP's);
 * - timm's `pretrained_cfg`, alone or inside the `config.json` timm pushes to the Hugging Face hub.
 * Every field is either understood or an error that names it: a field left unread could change
 * the tensor, and a model fed the wrong tensor gives worse labels without a word.
 */
import type { Interpolation } from '../preprocess/geometry.ts';
import type { ModelSpec } from './spec.ts';

/** What {@link specFromConfig} returns: spread it into a `ModelSpec` with the model's `url`. */
export type ConfigSpec = Required<Pick<ModelSpec, 'inputSize' | 'resizeTo' | 'interpolation' | 'mean' | 'std' | 'pixelScale'>> & {
  /** Class names, when the config lists them (timm's `label_names`). */
  labels?: string[];
};

/** PIL's resampling enum, as Hugging Face configs write it. */
const PIL_RESAMPLE: Record<number, Interpolation | string> = {
  0: 'nearest',
  1: 'lanczos',
  2: 'bilinear',
  3: 'bicubic',
  4: 'box (PIL 4)',
  5: 'hamming (PIL 5)',
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value for a message: short JSON, or its type where JSON fails (nesting too deep, a cycle). */
function show(v: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
  if (text === undefined) return String(v);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * The spec fields of a Hugging Face `preprocessor_config.json` or a timm `pretrained_cfg` /
 * `config.json` (parsed JSON, or its text). Throws a `TypeError` naming the fields it cannot
 * follow: unknown ones, unsupported values (a resize that does not keep the aspect ratio, a
 * non-square crop, PIL's box filter, …) and contradictory ones (`crop_pct` and `crop_size`
 * together, `num_classes` against `label_names`, …).
 *
 * @example
 * ```ts
 * const config = await (await fetch('/models/my-resnet/preprocessor_config.json')).json();
 * const classifier = await createClassifier({ model: { url: '/models/my-resnet/model.onnx', ...specFromConfig(config) } });
 * ```
 */
export function specFromConfig(config: unknown): ConfigSpec {
  const json = typeof config === 'string' ? parseText(config) : config;
  if (!isObject(json)) throw new TypeError('specFromConfig: the config must be a JSON object');
  if (isObject(json.pretrained_cfg)) return usable(fromTimm(json.pretrained_cfg, json));
  if ('input_size' in json && ('crop_pct' in json || 'interpolation' in json)) return usable(fromTimm(json));
  if (['image_processor_type', 'feature_extractor_type', 'image_mean', 'do_resize', 'do_normalize'].some((k) => k in json)) return usable(fromHuggingFace(json));
  if ('id2label' in json || 'architectures' in json) {
    throw new TypeError(
      "specFromConfig: this is a Hugging Face model config.json (architectures, id2label): the preprocessing is in the model's preprocessor_config.json; its id2label can be given as ModelSpec.labels",
    );
  }
  throw new TypeError(
    `specFromConfig: not a Hugging Face preprocessor_config.json nor a timm pretrained_cfg (fields: ${Object.keys(json).join(', ') || 'none'})`,
  );
}

/** The largest side an image is resized to (a config whose numbers give more is refused). */
const MAX_RESIZE = 16384;

/** A spec the pipeline can run: each field checked where a config's numbers could make it absurd. */
function usable(spec: ConfigSpec): ConfigSpec {
  if (!Number.isSafeInteger(spec.resizeTo) || spec.resizeTo > MAX_RESIZE) {
    throw new TypeError(`specFromConfig: the config resizes to ${spec.resizeTo} pixels (crop_pct or size out of range; at most ${MAX_RESIZE})`);
  }
  if (spec.std.some((x) => x === 0)) throw new TypeError(`specFromConfig: a std of 0 divides by zero (${show(spec.std)})`);
  return spec;
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TypeError(`specFromConfig: not JSON (${String(e)})`);
  }
}

function unknownFields(json: Json, known: ReadonlySet<string>, what: string): void {
  const unknown = Object.keys(json).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new TypeError(
      `specFromConfig: ${what} has field${unknown.length > 1 ? 's' : ''} resnet-web does not know: ${unknown.join(', ')} ` +
        '(each could change the input tensor; remove them if they do not)',
    );
  }
}

function triple(json: Json, key: string, what: string): [number, number, number] {
  const v = json[key];
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new TypeError(`specFromConfig: ${what} ${key} must be three numbers (one per channel), got ${show(v)}`);
  }
  return [v[0], v[1], v[2]];
}

function positiveInt(v: unknown, key: string, what: string): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new TypeError(`specFromConfig: ${what} ${key} must be a positive integer, got ${show(v)}`);
  return v as number;
}

function cropPct(json: Json, what: string): number {
  const v = json.crop_pct;
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) throw new TypeError(`specFromConfig: ${what} crop_pct must be a number in (0, 1], got ${show(v)}`);
  return v;
}

// ---- timm ----

/** Fields of timm's `PretrainedCfg` (timm/models/_pretrained.py) and of its hub `config.json`. */
const TIMM_CFG = new Set([
  'url', 'file', 'state_dict', 'hf_hub_id', 'hf_hub_filename', 'source', 'architecture', 'tag', 'custom_load',
  'input_size', 'test_input_size', 'min_input_size', 'fixed_input_size', 'interpolation', 'crop_pct', 'test_crop_pct',
  'crop_mode', 'mean', 'std', 'num_classes', 'label_offset', 'label_names', 'label_descriptions', 'pool_size',
  'test_pool_size', 'first_conv', 'classifier', 'license', 'description', 'origin_url', 'paper_name', 'paper_ids', 'notes',
]);
const TIMM_HUB = new Set(['architecture', 'num_classes', 'num_features', 'global_pool', 'pretrained_cfg', 'model_args', 'label_names', 'label_descriptions']);

function fromTimm(cfg: Json, hub?: Json): ConfigSpec {
  const what = 'the timm pretrained_cfg';
  unknownFields(cfg, TIMM_CFG, what);
  if (hub) unknownFields(hub, TIMM_HUB, 'the timm config.json');
  const size = cfg.input_size;
  if (!Array.isArray(size) || size.length !== 3 || !size.every((x) => Number.isInteger(x) && x > 0)) {
    throw new TypeError(`specFromConfig: ${what} input_size must be [channels, height, width], got ${show(size)}`);
  }
  const [channels, height, width] = size as number[];
  if (channels !== 3) throw new TypeError(`specFromConfig: ${what} input_size has ${channels} channels; resnet-web feeds 3 (RGB)`);
  if (height !== width) throw new TypeError(`specFromConfig: ${what} input_size is ${height}×${width}; resnet-web crops squares`);
  const mode = cfg.crop_mode ?? 'center';
  if (mode !== 'center') {
    throw new TypeError(`specFromConfig: ${what} crop_mode "${String(mode)}" is not supported (only "center": resize the shorter side, centre crop)`);
  }
  const interp = cfg.interpolation;
  if (!['nearest', 'bilinear', 'bicubic', 'lanczos'].includes(interp as string)) {
    throw new TypeError(`specFromConfig: ${what} interpolation ${show(interp)} is not supported (nearest, bilinear, bicubic, lanczos)`);
  }
  if (cfg.label_offset !== undefined && cfg.label_offset !== 0) {
    throw new TypeError(`specFromConfig: ${what} label_offset ${show(cfg.label_offset)}: the model has extra leading classes; give ModelSpec.labels for all its outputs`);
  }
  const pct = cropPct(cfg, what);
  const labels = hub?.label_names ?? cfg.label_names;
  const spec: ConfigSpec = {
    inputSize: height,
    // timm's transforms_factory: scale_size = floor(img_size / crop_pct)
    resizeTo: Math.floor(height / pct),
    interpolation: interp as Interpolation,
    mean: triple(cfg, 'mean', what),
    std: triple(cfg, 'std', what),
    pixelScale: 1 / 255,
  };
  if (labels !== undefined) {
    if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) throw new TypeError(`specFromConfig: label_names must be an array of strings`);
    const counts = [hub?.num_classes, cfg.num_classes].filter((n): n is number => typeof n === 'number');
    if (counts.some((n) => n !== labels.length)) {
      throw new TypeError(`specFromConfig: ${labels.length} label_names but num_classes ${counts.join(' / ')}`);
    }
    spec.labels = [...labels];
  }
  if (hub && typeof hub.num_classes === 'number' && typeof cfg.num_classes === 'number' && hub.num_classes !== cfg.num_classes) {
    throw new TypeError(`specFromConfig: config.json num_classes ${hub.num_classes} but pretrained_cfg num_classes ${cfg.num_classes}`);
  }
  return spec;
}

// ---- Hugging Face ----

/** Image processors whose pipeline is "resize the shorter side, centre crop a square". */
type HfKind = 'convnext' | 'crop';
const HF_TYPES: Record<string, HfKind> = {
  ConvNextImageProcessor: 'convnext',
  ConvNextImageProcessorFast: 'convnext',
  ConvNextFeatureExtractor: 'convnext',
  BitImageProcessor: 'crop',
  BitImageProcessorFast: 'crop',
  CLIPImageProcessor: 'crop',
  CLIPImageProcessorFast: 'crop',
  CLIPFeatureExtractor: 'crop',
};
const HF_FIELDS = new Set([
  'image_processor_type', 'feature_extractor_type', 'processor_class', 'do_resize', 'size', 'resample', 'crop_pct',
  'do_center_crop', 'crop_size', 'do_rescale', 'rescale_factor', 'do_normalize', 'image_mean', 'image_std', 'do_convert_rgb',
  'data_format', 'default_to_square',
]);
/**
 * Saved by some transformers versions without bearing on the tensor: the list of accepted keys
 * (4.39–4.40) and the fast processors' call-time settings.
 */
const HF_IGNORED = new Set(['_valid_processor_keys', 'return_tensors', 'device', 'input_data_format', 'disable_grouping']);

function fromHuggingFace(saved: Json): ConfigSpec {
  const what = 'the preprocessor_config.json';
  // Fast processors save every setting, unset ones as null: null is the processor's default, as absent.
  const json = Object.fromEntries(Object.entries(saved).filter(([k, v]) => v !== null && !HF_IGNORED.has(k)));
  const type = (json.image_processor_type ?? json.feature_extractor_type) as string | undefined;
  if (type !== undefined && !Object.hasOwn(HF_TYPES, type)) {
    const hint = /^ViT|^DeiT|^BeiT/.test(type) ? ' (it resizes to a fixed height × width without keeping the aspect ratio and does not crop)' : '';
    throw new TypeError(
      `specFromConfig: image processor ${type} is not supported${hint}; supported: ${Object.keys(HF_TYPES).join(', ')} (${json.image_processor_type !== undefined ? 'image_processor_type' : 'feature_extractor_type'})`,
    );
  }
  unknownFields(json, HF_FIELDS, what);
  const kind: HfKind = type ? HF_TYPES[type] : 'crop_pct' in json ? 'convnext' : 'crop';
  const off = (k: string) => json[k] === false;
  if (off('do_resize')) throw new TypeError(`specFromConfig: ${what} do_resize is false; resnet-web always resizes (the model needs a fixed input size)`);
  if (json.data_format !== undefined && json.data_format !== 'channels_first') {
    throw new TypeError(`specFromConfig: ${what} data_format ${show(json.data_format)}: the processor gives channels last; set ModelSpec.layout 'NHWC' yourself if the model takes that`);
  }
  if (json.default_to_square === true) {
    throw new TypeError(`specFromConfig: ${what} default_to_square is true: a size given as one number becomes size × size, without keeping the aspect ratio`);
  }
  const resample = json.resample;
  const interpolation = typeof resample === 'number' ? PIL_RESAMPLE[resample] : undefined;
  if (!interpolation || interpolation.includes('(')) {
    throw new TypeError(
      `specFromConfig: ${what} resample ${show(resample)} is not supported (PIL's 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic)${resample === undefined ? '; it is missing' : ''}`,
    );
  }
  const size = json.size;
  const shortest = typeof size === 'number' ? size : isObject(size) ? size.shortest_edge : undefined;
  if (isObject(size) && ('height' in size || 'width' in size || 'longest_edge' in size)) {
    const extra = Object.keys(size).filter((k) => k !== 'shortest_edge');
    throw new TypeError(
      `specFromConfig: ${what} size ${show(size)}: ${'shortest_edge' in size ? 'shortest_edge together with ' + extra.join('/') + ' contradict each other' : 'resizing to a fixed height × width (or a longest edge) does not keep the aspect ratio; resnet-web resizes the shorter side'}`,
    );
  }
  const edge = positiveInt(shortest, 'size.shortest_edge', what);
  let inputSize: number;
  let resizeTo: number;
  if (kind === 'convnext') {
    if ('crop_size' in json || 'do_center_crop' in json) {
      const k = 'crop_size' in json ? 'crop_size' : 'do_center_crop';
      throw new TypeError(`specFromConfig: ${what} has ${k} and crop_pct (${type ?? 'ConvNeXT-style'}); the crop comes from crop_pct alone, so they contradict each other`);
    }
    // transformers' ConvNextImageProcessor: below 384 the shorter side goes to int(size / crop_pct)
    // and a size × size centre crop follows; from 384 on it warps to size × size (not supported).
    if (edge >= 384) {
      throw new TypeError(`specFromConfig: ${what} size ${edge} ≥ 384: ${type ?? 'ConvNeXT'} then resizes to ${edge}×${edge} without keeping the aspect ratio`);
    }
    const pct = json.crop_pct === undefined ? 224 / 256 : cropPct(json, what); // the processor's own default
    inputSize = edge;
    resizeTo = Math.trunc(edge / pct);
  } else {
    if ('crop_pct' in json) throw new TypeError(`specFromConfig: ${what} crop_pct is not used by ${type ?? 'a processor with crop_size'} (it crops crop_size)`);
    if (off('do_center_crop')) throw new TypeError(`specFromConfig: ${what} do_center_crop is false: the input would not be square`);
    const crop = json.crop_size;
    const side = typeof crop === 'number' ? crop : isObject(crop) && crop.height === crop.width ? crop.height : NaN;
    if (isObject(crop) && crop.height !== crop.width) throw new TypeError(`specFromConfig: ${what} crop_size ${show(crop)} is not square`);
    inputSize = positiveInt(side, 'crop_size', what);
    resizeTo = edge;
    if (resizeTo < inputSize) throw new TypeError(`specFromConfig: ${what} size.shortest_edge ${edge} is smaller than crop_size ${inputSize}`);
  }
  let pixelScale = 1 / 255;
  if (off('do_rescale')) pixelScale = 1;
  else if (json.rescale_factor !== undefined) {
    const f = json.rescale_factor;
    if (typeof f !== 'number' || !(f > 0 && Number.isFinite(f))) throw new TypeError(`specFromConfig: ${what} rescale_factor must be a positive number, got ${show(f)}`);
    pixelScale = Math.abs(f - 1 / 255) < 1e-12 ? 1 / 255 : f;
  }
  const normalize = !off('do_normalize');
  if (normalize && (!('image_mean' in json) || !('image_std' in json))) {
    const missing = ['image_mean', 'image_std'].filter((k) => !(k in json));
    throw new TypeError(`specFromConfig: ${what} normalizes but has no ${missing.join(' / ')}`);
  }
  return {
    inputSize,
    resizeTo,
    interpolation: interpolation as Interpolation,
    mean: normalize ? triple(json, 'image_mean', what) : [0, 0, 0],
    std: normalize ? triple(json, 'image_std', what) : [1, 1, 1],
    pixelScale,
  };
}
