// The ES module from dist/ under a strict CSP (see csp.html). Plain JS: the static server does not compile.
import { createClassifier } from '../../dist/resnet-web.js';

const violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective}: ${e.blockedURI}`));

/** Loads a classifier, classifies the binoculars photo, disposes; what the test checks. */
async function run(options) {
  const c = await createClassifier({ modelBaseUrl: '../../public/models/', ...options });
  const top = await c.classify('/test-images/classic/trt5-binoculars.jpeg');
  const out = { backend: c.backend, threads: c.threads, label: top[0].label };
  await c.dispose();
  return out;
}

window.csp = { run, violations };
