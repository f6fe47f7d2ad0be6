// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per module, the top entries.
// RSA signing runs on libuv's thread pool, outside the main thread this profile samples: a main thread
// that is mostly idle while throughput is at the limit means the thread pool, not JavaScript, bounds it.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { target } from './harness.mjs';

const place = (url) => {
  if (!url) return '';
  const path = url.startsWith('file://') ? relative(target, new URL(url).pathname) : url;
  return path.replace(/^.*node_modules\//, '');
};
const moduleOf = (url) => {
  const path = place(url);
  if (!path) return '(native/V8)';
  if (path.startsWith('node:')) return 'node core';
  if (path.startsWith('dist/src/')) return path.split('/').slice(0, 3).join('/');
  return url.includes('node_modules/')
    ? path
        .split('/')
        .slice(0, path.startsWith('@') ? 2 : 1)
        .join('/')
    : path;
};

/**
 * Self time by function and by module, as shares of the sampled time (idle left out), top `top` of each; `files`
 * is one .cpuprofile or several (the gateway's worker threads write one each), summed.
 */
export function summariseCpuProfile(files, top = 12) {
  const profiles = (Array.isArray(files) ? files : [files]).map((file) => JSON.parse(readFileSync(file, 'utf8')));
  const frameName = ({ functionName, url, lineNumber }) =>
    `${functionName || '(anonymous)'} ${place(url)}${url ? `:${lineNumber + 1}` : ''}`.trim();
  const byFunction = new Map();
  const byModule = new Map();
  let idleUs = 0;
  let busyUs = 0;
  const perProfile = profiles.map((profile) => {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const selfUs = new Map();
    profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    for (const [id, us] of selfUs) {
      const { callFrame } = nodes.get(id);
      if (callFrame.functionName === '(idle)') {
        idleUs += us;
        continue;
      }
      busyUs += us;
      const name = frameName(callFrame);
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
      const module = callFrame.functionName.startsWith('(') ? callFrame.functionName : moduleOf(callFrame.url);
      byModule.set(module, (byModule.get(module) ?? 0) + us);
    }
    return { profile, nodes, selfUs };
  });
  // Who in the project calls the costliest function: its nearest ancestor frame under dist/src/.
  const costliest = [...byFunction].sort((a, b) => b[1] - a[1])[0]?.[0];
  const callers = new Map();
  for (const { profile, nodes, selfUs } of perProfile) {
    const parents = new Map();
    for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
    for (const [id, us] of selfUs) {
      if (frameName(nodes.get(id).callFrame) !== costliest) continue;
      let up = parents.get(id);
      while (up !== undefined && !place(nodes.get(up).callFrame.url).startsWith('dist/src/')) up = parents.get(up);
      const name = up === undefined ? '(outside the project)' : frameName(nodes.get(up).callFrame);
      callers.set(name, (callers.get(name) ?? 0) + us);
    }
  }
  const ranked = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: Math.round(us / 1000), share: Number((us / busyUs).toFixed(3)) }));
  return {
    profiles: profiles.length,
    sampledSeconds: Number(((busyUs + idleUs) / 1e6).toFixed(1)),
    // the share of the sampled time the thread(s) ran JavaScript or V8 work (summed over threads: per thread)
    mainThreadBusyShare: Number((busyUs / Math.max(1, busyUs + idleUs)).toFixed(3)),
    busySeconds: Number((busyUs / 1e6).toFixed(1)),
    topFunctions: ranked(byFunction),
    topModules: ranked(byModule),
    costliestFunction: costliest,
    costliestFunctionCallers: ranked(callers).slice(0, 6),
  };
}
