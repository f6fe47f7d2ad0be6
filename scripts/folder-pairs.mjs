#!/usr/bin/env node
// Counts the pairs of src/ folders that import each other (issue 21's measure of the floor plan). The import
// graph comes from dependency-cruiser, the same reading of the code the import rules in the tests use.
//   node scripts/folder-pairs.mjs          prints each pair with one import each way, then the count
import { pathToFileURL } from 'node:url';
import { cruise } from 'dependency-cruiser';

const folderOf = (path) => {
  const parts = path.split('/');
  if (parts[0] !== 'src') return undefined;
  return parts.length > 2 ? parts[1] : '(root)';
};

/** Pairs [a, b] of src/ folders where a imports b and b imports a, each with one import each way. */
export async function folderPairs(baseDir = process.cwd()) {
  const result = await cruise(['src'], {
    baseDir,
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  });
  const edges = new Map(); // "a -> b" → one example import
  for (const module of result.output.modules) {
    const from = folderOf(module.source);
    for (const dependency of module.dependencies) {
      const to = folderOf(dependency.resolved);
      if (!from || !to || from === to) continue;
      const key = `${from} -> ${to}`;
      if (!edges.has(key)) edges.set(key, `${module.source} imports ${dependency.resolved}`);
    }
  }
  const pairs = [];
  for (const key of edges.keys()) {
    const [from, to] = key.split(' -> ');
    if (from < to && edges.has(`${to} -> ${from}`))
      pairs.push({
        folders: [from, to],
        imports: [edges.get(key), edges.get(`${to} -> ${from}`)],
      });
  }
  return pairs;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const pairs = await folderPairs();
  for (const { folders, imports } of pairs) console.log(`${folders.join(' <-> ')}\n  ${imports.join('\n  ')}`);
  console.log(`${pairs.length} pairs of src/ folders import each other`);
  process.exitCode = pairs.length === 0 ? 0 : 1;
}
