// A server component: importing the package on the server must not crash the build or the render.
import { DEFAULT_MODEL, modelNames } from 'resnet-web';
import Classify from './classify.js';

export default function Page() {
  return (
    <main>
      <p id="server">models: {modelNames().join(', ')} (default {DEFAULT_MODEL})</p>
      <Classify />
    </main>
  );
}
