import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.js';
import { runCli } from '../helpers/process.js';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-xoev-cli-'));
const env = { AMTSBOTE_DATA_DIR: join(dir, 'data') };
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const example = join(projectRoot, 'examples/gewerbeanmeldung/dresden-einzelunternehmen.json');

function filesBelow(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

describe('amtsbote map', () => {
  it("prints every destination's XML and that it validates, from an envelope or from data alone", () => {
    const result = runCli(['map', '--service', '99050012104000', '--region', '146120000000', '--input', example], env);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('<xga:alg.gewerbemeldung.0300');
    expect(result.stdout).toContain('<xga:sta.gewerbemeldung.0100');
    expect(result.stdout.match(/valid \(amtsbote-profile:xgewerbeanzeige\/2\.2\)/g)).toHaveLength(2);

    const dataOnly = join(dir, 'data-only.json');
    writeFileSync(dataOnly, JSON.stringify((JSON.parse(readFileSync(example, 'utf8')) as { data: unknown }).data));
    const one = runCli(
      [
        'map',
        '--service',
        '99050012104000',
        '--region',
        '146120000000',
        '--input',
        dataOnly,
        '--destination',
        'statistik-sachsen',
      ],
      env,
    );
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).not.toContain('alg.gewerbemeldung.0300');
    expect(one.stdout).toContain('valid (amtsbote-profile:xgewerbeanzeige/2.2)');
  });

  it('exits non-zero with the pointer when the data is invalid', () => {
    const broken = join(dir, 'broken.json');
    const envelope = JSON.parse(readFileSync(example, 'utf8')) as { data: { persons: { familyName: string }[] } };
    envelope.data.persons[0]!.familyName = 'Müller<script>';
    writeFileSync(broken, JSON.stringify(envelope));
    const result = runCli(['map', '--service', '99050012104000', '--region', '146120000000', '--input', broken], env);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('data /data/persons/0/familyName');
  });
});

describe('amtsbote schemas add and codelists add', () => {
  it('installs an official schema set (folder or zip) that then takes precedence', () => {
    const source = join(projectRoot, 'xsd/xgewerbeanzeige/2.2');
    const zip = join(dir, 'xgewerbeanzeige-2.2-offiziell.zip');
    writeFileSync(
      zip,
      zipSync(
        Object.fromEntries(filesBelow(source).map((f) => [relative(source, f), new Uint8Array(readFileSync(f))])),
      ),
    );
    const added = runCli(['schemas', 'add', zip, '--standard', 'xgewerbeanzeige', '--standard-version', '2.2'], env);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('official:xgewerbeanzeige-2.2-offiziell');
    const mapped = runCli(['map', '--service', '99050012104000', '--region', '146120000000', '--input', example], env);
    expect(mapped.stdout).toContain('valid (official:xgewerbeanzeige-2.2-offiziell)');
    expect(
      runCli(['schemas', 'add', zip, '--standard', 'xgewerbeanzeige', '--standard-version', '2.2'], env).status,
    ).toBe(1);

    const folder = join(dir, 'zzz-folder-set');
    cpSync(source, folder, { recursive: true });
    expect(
      runCli(['schemas', 'add', folder, '--standard', 'xgewerbeanzeige', '--standard-version', '2.2'], env).status,
    ).toBe(0);
    expect(
      runCli(['map', '--service', '99050012104000', '--region', '146120000000', '--input', example], env).stdout,
    ).toContain('valid (official:zzz-folder-set)');
  });

  it('refuses a schema set that does not compile, and leaves nothing behind', () => {
    const bad = join(dir, 'bad-set');
    cpSync(join(projectRoot, 'xsd/xgewerbeanzeige/2.2'), bad, { recursive: true });
    writeFileSync(
      join(bad, 'xgewerbeanzeige.xsd'),
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="x" type="nope"/></xs:schema>',
    );
    const result = runCli(['schemas', 'add', bad, '--standard', 'xgewerbeanzeige', '--standard-version', '2.2'], env);
    expect(result.status).toBe(1);
    expect(readdirSync(join(dir, 'data/schemas/xgewerbeanzeige/2.2')).sort()).toEqual([
      'xgewerbeanzeige-2.2-offiziell',
      'zzz-folder-set',
    ]);
  });

  it('installs a genericode code list and refuses what is not one', () => {
    const list = join(
      projectRoot,
      'config/codelists',
      readdirSync(join(projectRoot, 'config/codelists')).find((f) => f.endsWith('.xml'))!,
    );
    const official = join(dir, 'official-list.xml');
    writeFileSync(official, readFileSync(list, 'utf8').replace(/<Version>[^<]*<\/Version>/, '<Version>9999</Version>'));
    const added = runCli(['codelists', 'add', official], env);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('version 9999');
    const notAList = join(dir, 'not-a-list.xml');
    writeFileSync(notAList, '<hello/>');
    expect(runCli(['codelists', 'add', notAList], env).status).toBe(1);
    expect(runCli(['config', 'check'], env).status).toBe(0);
  });
});
