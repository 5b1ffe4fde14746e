#!/usr/bin/python3
"""
Reference outputs of Pillow's resize + torchvision's centre crop, for each interpolation the SDK
ports (nearest, bilinear, bicubic, lanczos). Run with Debian's python3-pil (Pillow 9.4) and
python3-numpy; the outputs are committed, the tool is not needed to run the tests.

  /usr/bin/python3 test/data/pillow/make-references.py [--crops DIR]

Writes, next to this script:
- resize-fixtures.json: synthetic images (a seeded generator the unit test re-creates) resized
  and cropped by Pillow, the output bytes in base64: the CPU port must give them byte for byte.
- photos.json: for the 100 ImageNet photos in test/data/images/imagenet, for each interpolation
  and resize size: per-channel means of the normalized tensor, the mean absolute difference
  between neighbouring pixels (how sharp the filter leaves the crop: the statistic that tells the
  filters apart), and the sha256 of the cropped RGB bytes.
With --crops DIR: also writes each photo's bicubic 235 → 224 crop (raw RGB bytes) into DIR, for
test/data/pillow/ort-reference.ts (native onnxruntime on Pillow's tensors).
"""
import base64, hashlib, json, os, sys
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTOS = os.path.join(HERE, '..', 'images', 'imagenet')
FILTERS = {'nearest': Image.NEAREST, 'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC, 'lanczos': Image.LANCZOS}
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def resize_crop(im, resize_to, crop, resample):
    """torchvision: Resize(resize_to) (shorter side; the longer one truncated) + CenterCrop(crop)."""
    w, h = im.size
    if w <= h:
        size = (resize_to, int(resize_to * h / w))
    else:
        size = (int(resize_to * w / h), resize_to)
    im = im.resize(size, resample)
    left = int(round((size[0] - crop) / 2.0))
    top = int(round((size[1] - crop) / 2.0))
    return np.asarray(im.crop((left, top, left + crop, top + crop)), dtype=np.uint8)


def synthetic(kind, w, h, seed):
    """The unit test's generator: xorshift32 noise, or smooth gradients with a little noise."""
    s = seed
    out = np.zeros((h, w, 3), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            for c in range(3):
                s ^= (s << 13) & 0xFFFFFFFF
                s ^= s >> 17
                s ^= (s << 5) & 0xFFFFFFFF
                if kind == 'noise':
                    out[y, x, c] = s & 255
                else:
                    out[y, x, c] = ((x * 255) // max(1, w - 1) + (y * 97) // max(1, h - 1) * (c + 1) + (s & 15)) & 255
    return out


def fixtures():
    cases = [
        # kind, width, height, resizeTo, crop, seed
        ('noise', 97, 61, 40, 32, 1),     # downscale, landscape, odd crop offsets
        ('noise', 61, 97, 37, 29, 2),     # portrait
        ('gradient', 300, 41, 23, 21, 3),  # strong downscale, one axis only a little
        ('noise', 13, 9, 30, 24, 4),      # upscale
        ('gradient', 50, 50, 50, 44, 5),  # scale 1 (crop only)
        ('noise', 211, 157, 24, 24, 6),   # downscale by ~6.5
    ]
    out = []
    for kind, w, h, resize_to, crop, seed in cases:
        src = Image.fromarray(synthetic(kind, w, h, seed), 'RGB')
        entry = {'kind': kind, 'width': w, 'height': h, 'resizeTo': resize_to, 'crop': crop, 'seed': seed, 'out': {}}
        for name, f in FILTERS.items():
            entry['out'][name] = base64.b64encode(resize_crop(src, resize_to, crop, f).tobytes()).decode()
        out.append(entry)
    return out


def stats(rgb):
    x = rgb.astype(np.float32) / np.float32(255)
    t = (x - MEAN) / STD
    means = [round(float(t[:, :, c].mean(dtype=np.float64)), 6) for c in range(3)]
    a = rgb.astype(np.int32)
    dx = np.abs(a[:, 1:] - a[:, :-1]).mean(axis=(0, 1))
    dy = np.abs(a[1:] - a[:-1]).mean(axis=(0, 1))
    detail = [round(float((dx[c] + dy[c]) / 2), 6) for c in range(3)]
    return {'mean': means, 'detail': detail, 'sha256': hashlib.sha256(rgb.tobytes()).hexdigest()}


def photos(crops_dir):
    files = sorted(f for f in os.listdir(PHOTOS) if f.endswith('.JPEG'))
    runs = [(name, 256) for name in FILTERS] + [('bicubic', 235)]
    out = {f'{name}-{size}': {} for name, size in runs}
    for f in files:
        im = Image.open(os.path.join(PHOTOS, f)).convert('RGB')
        for name, size in runs:
            rgb = resize_crop(im, size, 224, FILTERS[name])
            out[f'{name}-{size}'][f] = stats(rgb)
            if crops_dir and name == 'bicubic' and size == 235:
                with open(os.path.join(crops_dir, f + '.rgb'), 'wb') as fh:
                    fh.write(rgb.tobytes())
    return out


if __name__ == '__main__':
    crops = sys.argv[sys.argv.index('--crops') + 1] if '--crops' in sys.argv else None
    if crops:
        os.makedirs(crops, exist_ok=True)
    meta = {'pillow': Image.__version__, 'numpy': np.__version__}
    with open(os.path.join(HERE, 'resize-fixtures.json'), 'w') as fh:
        json.dump({**meta, 'cases': fixtures()}, fh, indent=1)
        fh.write('\n')
    runs = photos(crops)
    with open(os.path.join(HERE, 'photos.json'), 'w') as fh:
        # One line per photo and run.
        fh.write(json.dumps({**meta, 'crop': 224})[:-1] + ',\n"runs":{\n')
        fh.write(',\n'.join(
            json.dumps(run) + ':{\n' + ',\n'.join(json.dumps(f) + ':' + json.dumps(v, separators=(',', ':')) for f, v in files.items()) + '}'
            for run, files in runs.items()))
        fh.write('}}\n')
