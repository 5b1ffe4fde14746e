import { createClassifier } from 'resnet-web';
import { run } from '../../shared/run.js';

run(createClassifier);
