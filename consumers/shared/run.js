/**
 * What every consumer app does with the package it imported: classify the photo with the
 * options in the page's query (?worker=off, ?backend=webgpu) and leave the outcome in
 * window.outcome for the test (and on the page for a person).
 */
export async function run(createClassifier) {
  const q = new URLSearchParams(location.search);
  const out = document.querySelector('#output') ?? document.body;
  try {
    const classifier = await createClassifier({
      model: 'mobilenetv2-int8',
      modelBaseUrl: '/models/',
      backend: q.get('backend') ?? 'wasm',
      worker: q.get('worker') !== 'off',
      ...(q.has('wasmPaths') ? { wasmPaths: q.get('wasmPaths') } : {}),
    });
    const [top] = await classifier.classify('/photo.jpg');
    window.outcome = { label: top.label, score: top.score, backend: classifier.backend, threads: classifier.threads };
    await classifier.dispose();
  } catch (e) {
    window.outcome = { error: `${e.code ?? e.name}: ${e.message}` };
  }
  out.textContent = JSON.stringify(window.outcome);
}
