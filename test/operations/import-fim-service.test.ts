import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serviceFileSchema } from '../../src/config/service-schema.js';
import { jsonMappingFileSchema } from '../../src/xoev/mapping/mapping-file-schema.js';
import { compileJsonOutputSchema } from '../../src/xoev/mapping/json-output-schema.js';
import { importFimService } from '../../src/operations/import-fim-service.js';
import { fixture, fixturesDir } from '../fim/helpers.js';

const root = mkdtempSync(join(tmpdir(), 'amtsbote-fim-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
const dirs = {
  servicesDir: join(root, 'config/services'),
  mappingsDir: join(root, 'mappings/json/1'),
  examplesDir: join(root, 'examples'),
};
const importVersion = (version: string, extra: { force?: boolean } = {}) =>
  importFimService({
    schemaFile: fixture(`hundeanmeldung-xdf3-${version}.xml`),
    key: '99000000000001',
    name: 'Hundeanmeldung',
    codelistsDir: fixturesDir,
    ...dirs,
    ...extra,
  });

describe('amtsbote services import-fim (the operation)', () => {
  it('writes schema, service file, mapping, example and report that the configuration loaders accept', () => {
    const result = importVersion('1.0.0');
    expect(result.diff).toBeUndefined();
    expect(readdirSync(dirs.servicesDir).sort()).toEqual([
      'hundeanmeldung.fim-1.0.0.report.md',
      'hundeanmeldung.fim-1.0.0.schema.json',
      'hundeanmeldung.yaml',
    ]);
    const service = serviceFileSchema.parse(parse(readFileSync(join(dirs.servicesDir, 'hundeanmeldung.yaml'), 'utf8')));
    expect(service).toMatchObject({
      key: '99000000000001',
      name: 'Hundeanmeldung',
      dataSchema: 'hundeanmeldung.fim-1.0.0.schema.json',
      standard: { name: 'json', versions: ['1'] },
      attachments: { maxCount: 2, maxBytes: 1048576, mediaTypes: ['application/pdf'] },
    });
    const mappingFile = join(dirs.mappingsDir, 'hundeanmeldung.yaml');
    const mapping = jsonMappingFileSchema.parse(parse(readFileSync(mappingFile, 'utf8')));
    expect(mapping).toMatchObject({ format: 'json', services: ['99000000000001'], body: '$data' });
    const output = compileJsonOutputSchema(join(dirs.mappingsDir, mapping.schema), mappingFile);
    // The mapping names the FIM schema as the delivered data's schema URI.
    expect(output.schemaUri).toBe('https://amtsbote.dev/schemas/fim/S99000001/1.0.0.json');
    const example = JSON.parse(readFileSync(join(dirs.examplesDir, 'hundeanmeldung/fim-example.json'), 'utf8')) as {
      data: unknown;
      serviceKey: string;
      attachments?: unknown[];
    };
    expect(example.serviceKey).toBe('99000000000001');
    expect(output.validate(example.data)).toEqual([]);
    const report = readFileSync(join(dirs.servicesDir, 'hundeanmeldung.fim-1.0.0.report.md'), 'utf8');
    expect(report).toContain('R99000001');
    expect(report).toContain('- group → object (oneOf, choice group): 1');
  });

  it('refuses to import the same version again unless forced', () => {
    expect(() => importVersion('1.0.0')).toThrow(/already imported.*--force/);
    expect(importVersion('1.0.0', { force: true }).diff?.lines).toEqual([]);
  });

  it('a newer version: shows what changed and writes its schema beside the old one', () => {
    const result = importVersion('1.1.0');
    expect(result.diff?.fromVersion).toBe('1.0.0');
    expect(result.diff?.changes.added).toEqual(['/data/halterinOderHalter/telefon']);
    expect(result.diff?.changes.removed).toEqual(['/data/chipnummer']);
    expect(result.diff?.changes.changed).toEqual([
      { pointer: '/data', what: ['x-fim-version "1.0.0" → "1.1.0"'] },
      { pointer: '/data/hund/*/rasse', what: ['enum ["01","02","03"] → ["01","02","03","04"]'] },
      { pointer: '/data/gebuehr', what: ['x-fim-version "1.0.0" → "1.1.0"'] },
    ]);
    // The old schema stays (its $id is what earlier messages name); the service moves to the new one.
    expect(existsSync(join(dirs.servicesDir, 'hundeanmeldung.fim-1.0.0.schema.json'))).toBe(true);
    const service = parse(readFileSync(join(dirs.servicesDir, 'hundeanmeldung.yaml'), 'utf8')) as {
      dataSchema: string;
    };
    expect(service.dataSchema).toBe('hundeanmeldung.fim-1.1.0.schema.json');
    expect(readFileSync(join(dirs.servicesDir, 'hundeanmeldung.fim-1.1.0.report.md'), 'utf8')).toContain(
      '## Changes since version 1.0.0\n\n+ /data/halterinOderHalter/telefon\n- /data/chipnummer',
    );
  });

  it('writes nothing when a code list is missing, unless told to', () => {
    const options = {
      schemaFile: fixture('hundeanmeldung-xdf3-1.0.0.xml'),
      key: '99000000000005',
      fileStem: 'ohne-codeliste',
      ...dirs,
    };
    expect(() => importFimService(options)).toThrow(
      /code lists not found.*urn:amtsbote:test:codeliste:staat.*Nothing was written/,
    );
    expect(existsSync(join(dirs.servicesDir, 'ohne-codeliste.yaml'))).toBe(false);
    importFimService({ ...options, allowMissingCodeLists: true });
    expect(existsSync(join(dirs.servicesDir, 'ohne-codeliste.yaml'))).toBe(true);
  });

  it('never replaces a service of another key or a hand-made one of the same name', () => {
    expect(() =>
      importFimService({
        schemaFile: fixture('hundeanmeldung-xdf3-1.1.0.xml'),
        key: '99000000000009',
        fileStem: 'hundeanmeldung',
        codelistsDir: fixturesDir,
        ...dirs,
      }),
    ).toThrow(/already defines the service 99000000000001/);
  });

  it('refuses to write over a service file that is not YAML, naming it, and leaves it as it was', () => {
    const servicesDir = join(root, 'broken/services');
    mkdirSync(servicesDir, { recursive: true });
    const broken = join(servicesDir, 'hundeanmeldung.yaml');
    writeFileSync(broken, 'key: 99000000000001\nkey: again\n');
    expect(() =>
      importFimService({
        schemaFile: fixture('hundeanmeldung-xdf3-1.0.0.xml'),
        key: '99000000000001',
        name: 'Hundeanmeldung',
        codelistsDir: fixturesDir,
        ...dirs,
        servicesDir,
      }),
    ).toThrow(/hundeanmeldung\.yaml: \/: is not valid YAML: duplicated mapping key/);
    expect(readFileSync(broken, 'utf8')).toBe('key: 99000000000001\nkey: again\n');
  });
});
