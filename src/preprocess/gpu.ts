/**
 * GPU preprocessing: the same resize + crop + normalize as `cpu.ts`, as two WebGPU compute
 * passes on the session's own GPUDevice, writing straight into the GPU buffer the session reads.
 * The image goes to a texture (`copyExternalImageToTexture`, or `importExternalTexture` for
 * video); nothing comes back to the CPU before the logits.
 *
 * The arithmetic is the CPU path's: Pillow's fixed-point taps (any of its filters; computed on the CPU, a few KB),
 * 32-bit integer sums rounded to bytes after each pass, and the float32 normalization tables
 * (WGSL's f32 division is not correctly rounded, a lookup is), so both paths give the same tensor.
 */
import { BITMAP_OPTIONS, type GpuImageSource } from '../input/decode.ts';
import { PRECISION_BITS, resizePlan, type PreprocessParams, type Taps } from './geometry.ts';
import { tablesFor } from './normalize.ts';

// Both passes: the per-image parameters, the packed taps, and Pillow's rounding back to a byte.
const prelude = /* wgsl */ `
struct Params { S: u32, kh: u32, kv: u32, rowFirst: u32, rows: u32, outOffset: u32, nhwc: u32, bgr: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> taps: array<i32>;

fn clip8(v: i32) -> u32 { return u32(clamp(v >> ${PRECISION_BITS}u, 0, 255)); }
`;

// Pass 1: horizontal taps over the source rows the crop needs → packed RGB bytes.
const horizontal = (external: boolean) => /* wgsl */ `${prelude}
@group(0) @binding(2) var src: ${external ? 'texture_external' : 'texture_2d<f32>'};
@group(0) @binding(3) var<storage, read_write> tmp: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let j = id.x;
  let y = id.y;
  if (j >= p.S || y >= p.rows) { return; }
  let start = taps[j];
  let count = taps[p.S + j];
  let k0 = 2u * p.S + j * p.kh;
  var sum = vec3<i32>(${1 << (PRECISION_BITS - 1)});
  for (var x = 0; x < count; x++) {
    let px = textureLoad(src, vec2<i32>(start + x, i32(y + p.rowFirst))${external ? '' : ', 0'});
    sum += vec3<i32>(round(px.rgb * 255.0)) * taps[k0 + u32(x)];
  }
  tmp[y * p.S + j] = clip8(sum.r) | (clip8(sum.g) << 8u) | (clip8(sum.b) << 16u);
}`;

// Pass 2: vertical taps → bytes → normalized float32 (lookup, one table per input channel) → the
// model's layout (NCHW or NHWC) and channel order (RGB or BGR) at outOffset.
const vertical = /* wgsl */ `${prelude}
@group(0) @binding(2) var<storage, read> tmp: array<u32>;
@group(0) @binding(3) var<storage, read> lut: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let j = id.x;
  let i = id.y;
  if (j >= p.S || i >= p.S) { return; }
  let base = 2u * p.S + p.S * p.kh;
  let start = u32(taps[base + i]) - p.rowFirst;
  let count = taps[base + p.S + i];
  let k0 = base + 2u * p.S + i * p.kv;
  var sum = vec3<i32>(${1 << (PRECISION_BITS - 1)});
  for (var y = 0; y < count; y++) {
    let t = tmp[(start + u32(y)) * p.S + j];
    sum += vec3<i32>(i32(t & 255u), i32((t >> 8u) & 255u), i32((t >> 16u) & 255u)) * taps[k0 + u32(y)];
  }
  let plane = p.S * p.S;
  let px = i * p.S + j;
  // Where channel c of the model goes: NCHW planes apart, or NHWC side by side.
  let step = select(plane, 1u, p.nhwc == 1u);
  let o = p.outOffset + select(px, px * 3u, p.nhwc == 1u);
  let dr = select(0u, 2u, p.bgr == 1u);
  out[o + dr * step] = lut[clip8(sum.r)];
  out[o + step] = lut[256u + clip8(sum.g)];
  out[o + (2u - dr) * step] = lut[512u + clip8(sum.b)];
}`;

/** Packs both axes' taps as the shaders read them: [h.start, h.count, h.weights, v.start, v.count, v.weights]. */
function packTaps(h: Taps, v: Taps): Int32Array<ArrayBuffer> {
  const parts = [h.start, h.count, h.weights, v.start, v.count, v.weights];
  const out = new Int32Array(parts.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of parts) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** Resize + crop + normalize on the GPU, for one model's input size and normalization. */
export class GpuPreprocessor {
  private readonly pipelines: { texture: GPUComputePipeline; external: GPUComputePipeline; vertical: GPUComputePipeline };
  private readonly lut: GPUBuffer;
  /** Set once importing a video frame failed: later frames go straight to the copy. */
  private externalFails: boolean;

  constructor(
    readonly device: GPUDevice,
    private readonly params: PreprocessParams,
  ) {
    // SwiftShader (Chromium's CPU Vulkan): importExternalTexture on a video used to throw, and
    // since Chromium 150 it returns and destroys the device ("Device was destroyed"), which is
    // the session's own. Video frames are copied there, never imported.
    this.externalFails = (device as { adapterInfo?: GPUAdapterInfo }).adapterInfo?.architecture === 'swiftshader';
    const make = (code: string) =>
      device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    this.pipelines = { texture: make(horizontal(false)), external: make(horizontal(true)), vertical: make(vertical) };
    const tables = tablesFor(params);
    const lut = new Float32Array(768);
    tables.forEach((t, c) => lut.set(t, c * 256));
    this.lut = this.buffer(lut, GPUBufferUsage.STORAGE);
  }

  /** Largest image side a texture can hold here; larger images take the CPU path. */
  get maxSide(): number {
    return this.device.limits.maxTextureDimension2D;
  }

  /** Bytes of one preprocessed image. */
  get imageBytes(): number {
    return 3 * this.params.inputSize ** 2 * 4;
  }

  private buffer(data: ArrayBufferView<ArrayBuffer>, usage: number): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(data.byteLength / 4) * 4), usage: usage | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(b, 0, data);
    return b;
  }

  /**
   * Encodes image `index` of a batch into `out` (a STORAGE buffer of `n × imageBytes`) and
   * submits the work. Video frames are imported as external textures (no copy); where the
   * browser cannot import one (it throws for some sources), the frame is copied to a texture.
   * Returns how the image reached the GPU.
   */
  async encode(image: GpuImageSource, out: GPUBuffer, index: number): Promise<'external' | 'texture'> {
    if (image.kind === 'video') {
      let external: GPUExternalTexture | null = null;
      try {
        if (!this.externalFails) external = this.device.importExternalTexture({ source: image.source });
      } catch {
        this.externalFails = true; // a browser that cannot import any frame
      }
      if (!external) {
        const bitmap = await createImageBitmap(image.source, BITMAP_OPTIONS);
        try {
          this.submit({ kind: 'bitmap', bitmap, width: bitmap.width, height: bitmap.height }, out, index);
        } finally {
          bitmap.close();
        }
        return 'texture';
      }
      this.submit(image, out, index, external);
      return 'external';
    }
    this.submit(image, out, index);
    return 'texture';
  }

  private submit(image: GpuImageSource, out: GPUBuffer, index: number, external?: GPUExternalTexture): void {
    const { device, params } = this;
    const S = params.inputSize;
    const { width, height } = image;
    const plan = resizePlan(width, height, params.resizeTo, S, params.interpolation);
    const uniforms = this.buffer(
      new Uint32Array([S, plan.h.ksize, plan.v.ksize, plan.rowFirst, plan.rows, index * 3 * S * S, params.layout === 'NHWC' ? 1 : 0, params.channelOrder === 'BGR' ? 1 : 0]),
      GPUBufferUsage.UNIFORM,
    );
    const taps = this.buffer(packTaps(plan.h, plan.v), GPUBufferUsage.STORAGE);
    const tmp = device.createBuffer({ size: plan.rows * S * 4, usage: GPUBufferUsage.STORAGE });

    let texture: GPUTexture | null = null;
    let view: GPUTextureView | GPUExternalTexture;
    if (external) {
      view = external;
    } else if (image.kind === 'video') {
      throw new Error('a video frame needs its external texture');
    } else {
      texture = device.createTexture({
        size: [width, height],
        format: 'rgba8unorm',
        usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT,
      });
      if (image.kind === 'bitmap') {
        device.queue.copyExternalImageToTexture({ source: image.bitmap }, { texture, premultipliedAlpha: false }, [width, height]);
      } else {
        device.queue.writeTexture({ texture }, image.data as Uint8Array<ArrayBuffer>, { bytesPerRow: width * 4 }, [width, height]);
      }
      view = texture.createView();
    }

    const h = external ? this.pipelines.external : this.pipelines.texture;
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(h);
    pass.setBindGroup(
      0,
      device.createBindGroup({
        layout: h.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: uniforms } },
          { binding: 1, resource: { buffer: taps } },
          { binding: 2, resource: view },
          { binding: 3, resource: { buffer: tmp } },
        ],
      }),
    );
    pass.dispatchWorkgroups(Math.ceil(S / 64), plan.rows);
    const v = this.pipelines.vertical;
    pass.setPipeline(v);
    pass.setBindGroup(
      0,
      device.createBindGroup({
        layout: v.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: uniforms } },
          { binding: 1, resource: { buffer: taps } },
          { binding: 2, resource: { buffer: tmp } },
          { binding: 3, resource: { buffer: this.lut } },
          { binding: 4, resource: { buffer: out } },
        ],
      }),
    );
    pass.dispatchWorkgroups(Math.ceil(S / 64), S);
    pass.end();
    device.queue.submit([encoder.finish()]);
    // Destroying after submit is allowed: the GPU keeps them until the submitted work is done.
    for (const b of [uniforms, taps, tmp]) b.destroy();
    texture?.destroy();
  }

  /** Reads `out` back (tests and benchmarks only: the classify path never does). */
  async read(out: GPUBuffer, bytes: number): Promise<Float32Array> {
    const staging = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(out, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const data = new Float32Array(staging.getMappedRange().slice(0));
    staging.destroy();
    return data;
  }

  dispose(): void {
    this.lut.destroy();
  }
}
