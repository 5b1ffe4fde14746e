// The README's Rollup recipe: the classifier's worker as a second entry named worker.js beside the
// app, ES modules with code splitting, node-resolve for the browser; then the .wasm files copied.
import { nodeResolve } from '@rollup/plugin-node-resolve';

export default {
  input: { app: 'src/app.js', worker: 'resnet-web/worker' },
  output: { dir: 'dist', format: 'es', entryFileNames: '[name].js' },
  plugins: [nodeResolve({ browser: true })],
};
