// The ES module from dist/, for e2e/memory.spec.ts. Plain JS: the static server does not compile.
import { createClassifier } from '../../dist/resnet-web.js';

window.memory = {
  /** Creates a classifier, classifies a photo, disposes it; its top label. */
  async cycle(worker) {
    const c = await createClassifier({ model: 'resnet56-cifar10', modelBaseUrl: '../../public/models/', backend: 'wasm', worker });
    const top = await c.classify('/test-images/cifar10/ship/0003.jpg');
    await c.dispose();
    return top[0].label;
  },
};
