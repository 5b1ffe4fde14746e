'use client';
import { useEffect } from 'react';
import { createClassifier } from 'resnet-web';
import { run } from '../../shared/run.js';

export default function Classify() {
  useEffect(() => {
    run(createClassifier);
  }, []);
  return <pre id="output">classifying…</pre>;
}
