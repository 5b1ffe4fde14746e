/** The label files the registry refers to: what the models command checks and where it gets them. */

/** Label files the registry refers to, with their sha256 and where a user's machine gets them. */
export const LABEL_FILES: Readonly<Record<string, { sha256: string; source?: string; sourceSha256?: string }>> = {
  'imagenet-labels.json': {
    sha256: '9036fdfd95c1913676c55b4a63a5387508df3cdb28250e4aabdb418f7622fe15',
    // The zoo publishes WordNet synsets; the models script turns them into a JSON list of names.
    source: 'https://github.com/onnx/models/raw/main/validated/vision/classification/synset.txt',
    sourceSha256: 'acf75ef0abe89694b19056e0796401068b459c457baa30335f240c7692857355',
  },
  'cifar10-labels.json': { sha256: 'fcdc2e1a755ed3463be7e0a84987dac8d36a8636d40302c9b309ab53f8679071' },
};
