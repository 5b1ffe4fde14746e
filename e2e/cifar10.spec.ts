/** The 1000 CIFAR-10 test JPEGs through ResNet-56 on WASM, against the reference pipeline. */
import { cifarTop1, expect, reference, test } from './fixtures.ts';

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const files = Object.keys(reference.cifar10).sort();

for (const [model, key] of [['resnet56-cifar10', 'resnet56_top5'], ['resnet20-cifar10', 'resnet20_top5']] as const) {
  test(`CIFAR-10 ${model} on WASM: top-1 agrees with the reference on ≥ 99 % and accuracy within 1 point`, async ({ harness }) => {
    expect(files).toHaveLength(1000);
    const { backend, top1 } = await cifarTop1(harness, model, 'wasm', files);
    expect(backend).toBe('wasm');
    const ref = (f: string) => reference.cifar10[f][key][0][0];
    const truth = (f: string) => CLASSES.indexOf(reference.cifar10[f].label);
    const agree = files.filter((f, i) => top1[i] === ref(f)).length / files.length;
    const ours = files.filter((f, i) => top1[i] === truth(f)).length / files.length;
    const theirs = files.filter((f) => ref(f) === truth(f)).length / files.length;
    console.log(
      `${model}: top-1 agreement ${(agree * 100).toFixed(1)} %, accuracy ${(ours * 100).toFixed(1)} % ` +
        `(reference ${(theirs * 100).toFixed(1)} %) over ${files.length} images`,
    );
    expect(agree).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(0.01);
  });
}
