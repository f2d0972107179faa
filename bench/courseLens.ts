// Case 6b: the lenses for the course's manifest (manifests/deployment.yaml of the sample workspace, scripts/lib/workspace.ts), what a
// learner opens most. Cold: the first manifest this process parses (module load excluded);
// warm: an edit later. Prints one JSON line. Run alone: node bench/courseLens.ts
import { parseManifest } from '../src/core/manifests/documents.ts';
import { findImages } from '../src/core/manifests/images.ts';
import type { ManifestFile } from '../src/core/manifests/documents.ts';
import { SAMPLE_DEPLOYMENT } from '../scripts/lib/workspace.ts';

export const COURSE_MANIFEST = SAMPLE_DEPLOYMENT;;

function lenses(file: ManifestFile): number {
  let n = 0;
  for (const image of findImages(file)) {
    n += file.rangeOf(image.keySpan).start.line >= 0 ? 1 : 0;
  }
  return n;
}

let t = performance.now();
const images = lenses(parseManifest(COURSE_MANIFEST));
const coldMs = performance.now() - t;
const warm: number[] = [];
for (let r = 0; r < 200; r++) {
  const text = `${COURSE_MANIFEST}# edit ${r}\n`;
  t = performance.now();
  lenses(parseManifest(text));
  warm.push(performance.now() - t);
}
warm.sort((a, b) => a - b);
const ms = warm[Math.floor(warm.length / 2)];
console.log(JSON.stringify({ case: 'codelens-course', ms: Math.round(ms * 1000) / 1000, coldMs: Math.round(coldMs * 100) / 100, images, bytes: COURSE_MANIFEST.length }));
