/**
 * What every consumer app does with the package it imported: classify the photo, and learn a label
 * from it, with the options in the page's query (?worker=off, ?backend=webgpu), and leave the
 * outcome in window.outcome for the test (and on the page for a person).
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
    // Learn your own tags from the package as an app gets it: the photo against a blank image,
    // then the photo turned a quarter (the per-call view) is still "photo".
    const learned = await classifier.learn({ photo: ['/photo.jpg'], blank: [new ImageData(64, 64)] });
    const [mine] = await learned.classify('/photo.jpg', { rotation: 90 });
    window.outcome = { label: top.label, score: top.score, backend: classifier.backend, threads: classifier.threads, threadsReason: classifier.threadsReason, learned: mine.label };
    await classifier.dispose();
  } catch (e) {
    window.outcome = { error: `${e.code ?? e.name}: ${e.message}` };
  }
  out.textContent = JSON.stringify(window.outcome);
}
