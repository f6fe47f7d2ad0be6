#!/usr/bin/env node
// CI step: `npm audit --omit=dev`, printed. A critical advisory in a production dependency fails the run;
// lesser ones are printed (and belong in the README's security section until resolved). Where the registry's
// advisory service cannot be reached, that is said plainly and the run goes on: no audit is not a pass.
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: 120_000 });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = undefined;
}
if (!report || report.error || report.statusCode || !report.metadata) {
  const why = report?.message || report?.error?.summary || 'no answer';
  console.log(
    `npm audit: NOT RUN — the advisory service could not be asked (${why.trim()}). Audit by hand where it can be reached.`,
  );
  process.exit(0);
}
const counts = report.metadata?.vulnerabilities ?? {};
console.log(`npm audit --omit=dev: ${JSON.stringify(counts)}`);
for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
  const via = v.via.map((x) => (typeof x === 'string' ? x : `${x.title} (${x.url})`)).join('; ');
  console.log(`  ${v.severity.padEnd(8)} ${name} ${v.range}: ${via}`);
}
if ((counts.critical ?? 0) > 0) {
  console.error('npm audit: a critical advisory in a production dependency — failing the run.');
  process.exit(1);
}
