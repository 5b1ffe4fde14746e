// The offscreen document: it holds the classifier (a service worker has no DOM and cannot start
// the classifier's worker) and answers the service worker's { type: 'classify', url } messages.
import { createClassifier } from './resnet-web/resnet-web.js';

const ready = createClassifier({ model: 'mobilenetv2-int8', modelBaseUrl: chrome.runtime.getURL('models/') });

chrome.runtime.onMessage.addListener((message, _sender, reply) => {
  if (message?.target !== 'offscreen' || message.type !== 'classify') return false;
  ready
    .then(async (classifier) => {
      const [top] = await classifier.classify(message.url);
      reply({ label: top.label, score: top.score, backend: classifier.backend, threads: classifier.threads });
    })
    .catch((e) => reply({ error: `${e.code ?? e.name}: ${e.message}` }));
  return true; // the reply comes later
});
