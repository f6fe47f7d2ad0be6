/**
 * Lookups in the loaded code lists. Without a version the newest loaded version is used: versions are
 * compared as numbers when both are numeric (`5` < `11`), otherwise as text, which orders the ISO dates
 * (`2019-05-31`) that Destatis lists use as versions.
 */
import type { CodeList, CodeLists } from './code-list.js';

export function findCodeList(lists: CodeLists, uri: string, version?: string): CodeList | undefined {
  const versions = lists.byUri.get(uri);
  if (versions === undefined) return undefined;
  if (version !== undefined) return versions.get(version);
  let newest: CodeList | undefined;
  for (const list of versions.values())
    if (newest === undefined || compareVersions(list.version, newest.version) > 0) newest = list;
  return newest;
}

export function hasCode(lists: CodeLists, uri: string, code: string, version?: string): boolean {
  return findCodeList(lists, uri, version)?.codes.has(code) ?? false;
}

export function codeName(lists: CodeLists, uri: string, code: string, version?: string): string | undefined {
  return findCodeList(lists, uri, version)?.codes.get(code);
}

export function compareVersions(a: string, b: string): number {
  const numeric = /^\d+(\.\d+)*$/;
  if (numeric.test(a) && numeric.test(b)) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      const d = (pa[i] ?? 0) - (pb[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
