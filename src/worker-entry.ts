// Where a Worker's entry file is, from source and in the executable alike. This module sits at the root of src/; in
// the executable it is bundled into the entry at the root of the embedded files, where scripts/build.ts embeds the
// worker entries under the same paths as in src/. So a path under src/ resolves the same way in both.
export const workerEntry = (pathUnderSrc: string): URL => new URL(`./${pathUnderSrc}`, import.meta.url)
