/**
 * What an import did and what it could not do, for the person who finishes the service: counts of what the
 * fields and groups became, warnings about the input, and every FIM statement JSON Schema cannot carry (rules
 * are free text in real schemas: listed here to be turned into assertions, never dropped silently).
 */
import type { Din91379Datatype } from '../xoev/index.js';

export interface NotExpressible {
  /** FIM id of the element (or of the rule). */
  fimId: string;
  /** Where in the submission's data, e.g. `/data/antragsteller/familienname`; absent for the schema itself. */
  pointer?: string;
  what: string;
}

export interface ImportReport {
  source: { id: string; version: string | undefined; xdatenfelder: string; name: string };
  /** `field → string`, `group → object (oneOf)` …: how many elements became what. */
  became: Record<string, number>;
  warnings: string[];
  notExpressible: NotExpressible[];
  missingCodeLists: { fimId: string; pointer: string; list: string }[];
  din91379: { pointer: string; datatype: Din91379Datatype; why: string }[];
}

export function emptyReport(source: ImportReport['source']): ImportReport {
  return { source, became: {}, warnings: [], notExpressible: [], missingCodeLists: [], din91379: [] };
}

export function count(report: ImportReport, what: string): void {
  report.became[what] = (report.became[what] ?? 0) + 1;
}

/** The report as Markdown, written beside the service definition. */
export function renderReport(report: ImportReport, extra: string[] = []): string {
  const { source } = report;
  const lines = [
    `# Import report: ${source.name}`,
    '',
    `FIM Stammdatenschema ${source.id} version ${source.version ?? '(none given)'}, XDatenfelder ${source.xdatenfelder}.`,
    '',
    '## What the elements became',
    '',
    ...Object.entries(report.became)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([what, n]) => `- ${what}: ${n}`),
    '',
    '## Not expressible in JSON Schema (turn into assertions or check by hand)',
    '',
    ...(report.notExpressible.length === 0
      ? ['- none']
      : report.notExpressible.map((n) => `- ${n.fimId}${n.pointer ? ` (${n.pointer})` : ''}: ${n.what}`)),
    '',
    '## Code lists not found',
    '',
    ...(report.missingCodeLists.length === 0
      ? ['- none']
      : report.missingCodeLists.map((m) => `- ${m.fimId} (${m.pointer}): ${m.list}`)),
    '',
    '## Warnings about the input',
    '',
    ...(report.warnings.length === 0 ? ['- none'] : report.warnings.map((w) => `- ${w}`)),
    '',
    '## DIN 91379 datatypes of text fields',
    '',
    ...report.din91379.map((d) => `- ${d.pointer}: ${d.datatype} (${d.why})`),
    ...extra,
    '',
  ];
  return lines.join('\n');
}
