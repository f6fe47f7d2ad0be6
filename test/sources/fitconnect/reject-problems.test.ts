import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rejectProblem, rejectProblems } from '../../../src/sources/fitconnect/reject-problems.js';
import { projectRoot } from '../../helpers/paths.js';

describe('reject problem table', () => {
  it('names no FITKO problem URI: none could be retrieved, and none is guessed', () => {
    for (const entry of Object.values(rejectProblems)) {
      expect(entry.type).toMatch(/^https:\/\/amtsbote\.dev\/problems\/fit-connect\/[a-z-]+$/);
      expect(entry.fitkoDocumented).toBe(false);
    }
    expect(new Set(Object.values(rejectProblems).map((e) => e.type)).size).toBe(Object.keys(rejectProblems).length);
  });

  it('builds a problem with the entry type and title, a bounded detail and the instance given', () => {
    const problem = rejectProblem('hash-mismatch', 'x'.repeat(5000), 'attachment:1');
    expect(problem).toEqual({
      type: rejectProblems['hash-mismatch'].type,
      title: rejectProblems['hash-mismatch'].title,
      detail: 'x'.repeat(2000),
      instance: 'attachment:1',
    });
  });

  it("docs/fitconnect-receiving-checks.md names only the table's problems, and every check of checkSubmission", () => {
    const doc = readFileSync(join(projectRoot, 'docs/fitconnect-receiving-checks.md'), 'utf8');
    const named = [...doc.matchAll(/reject `([a-z-]+)`/g)].map((m) => m[1] ?? '');
    expect(named.filter((name) => !(name in rejectProblems))).toEqual([]);
    const checks = [
      'event-log-invalid',
      'authentication-tags-missing',
      'authentication-tag-mismatch',
      'part-too-large',
      'decryption-failed',
      'metadata-syntax',
      'metadata-version-unsupported',
      'metadata-schema-violation',
      'hash-mismatch',
      'attachments-incomplete',
      'data-missing',
      'data-ambiguous',
      'data-schema-unsupported',
    ];
    expect(checks.filter((name) => !named.includes(name))).toEqual([]);
  });
});
