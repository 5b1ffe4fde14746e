// An extension page: the same app as every consumer, on dist/ copied into the extension.
import { createClassifier } from './resnet-web/resnet-web.js';
import { run } from './run.js';

run(createClassifier);
