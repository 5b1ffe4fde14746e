import path from 'node:path';

export default {
  mode: 'production',
  context: import.meta.dirname,
  entry: './src/index.js',
  output: { path: path.join(import.meta.dirname, 'dist'), clean: true },
  // onnxruntime-web's .wasm files (14 and 26 MB) are far above webpack's 244 KB size hint.
  performance: { hints: false },
};
