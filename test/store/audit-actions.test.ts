import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditActions } from '../../src/store/audit-actions.js';
import { projectRoot } from '../helpers/paths.js';

const labels = (language: string) =>
  JSON.parse(readFileSync(join(projectRoot, `admin/i18n/${language}.json`), 'utf8')) as Record<string, string>;

describe('audit actions', () => {
  it('each has a label on the admin page, in German and in English', () => {
    for (const language of ['de', 'en']) {
      const missing = auditActions.filter((action) => !labels(language)[`action.${action}`]);
      expect(missing, language).toEqual([]);
    }
  });

  it('the two languages name the same texts', () => {
    expect(Object.keys(labels('en')).sort()).toEqual(Object.keys(labels('de')).sort());
  });
});
