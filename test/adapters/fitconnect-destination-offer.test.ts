import { describe, expect, it } from 'vitest';
import {
  type WantedSubmission,
  decideOffer,
  metadataVersionWritten,
  mismatchDetail,
  mismatchReport,
  namesProducedSchema,
} from '../../src/adapters/fitconnect/destination-offer.js';

/** What the gateway sends Leipzig's Gewerbeamt: XGewerbeanzeige 2.2, message alg.gewerbemeldung.0300. */
const gewerbe: WantedSubmission = {
  serviceIdentifier: 'urn:de:fim:leika:leistung:99050012104000',
  data: {
    mediaType: 'application/xml',
    standard: 'xgewerbeanzeige',
    version: '2.2',
    message: 'alg.gewerbemeldung.0300',
    uris: ['http://www.xgewerbeanzeige.de/spezifikation/2.2', 'amtsbote-profile:xgewerbeanzeige/2.2'],
  },
  metadataVersion: '2.1.0',
};
const xmeld: WantedSubmission['data'] = {
  mediaType: 'application/xml',
  standard: 'xmeld',
  version: '26.11',
  message: 'onlinedienste.anmeldung.meldeschein.1704',
  uris: ['http://www.osci.de/xmeld2611'],
};
const hundesteuer: WantedSubmission = {
  serviceIdentifier: 'urn:de:fim:leika:leistung:99102013104000',
  data: {
    mediaType: 'application/json',
    standard: 'json',
    version: '1',
    message: 'hundesteuer.anmeldung',
    uris: ['https://amtsbote.dev/schemas/services/hundesteuer-anmeldung/1.json'],
  },
  metadataVersion: '2.1.0',
};
const offering = (...submissionSchemas: { schemaUri: string; mimeType?: string }[]) => ({
  metadataVersions: ['2.0.0', '2.1.0'],
  publicServices: [
    { identifier: 'urn:de:fim:leika:leistung:99108001001000', submissionSchemas: [] },
    { identifier: gewerbe.serviceIdentifier, submissionSchemas },
  ],
});

describe('decideOffer', () => {
  it('takes the schema the destination offers for the standard and version produced, verbatim', () => {
    const decision = decideOffer(
      offering(
        { schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.1', mimeType: 'application/xml' },
        { schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2', mimeType: 'application/xml' },
      ),
      gewerbe,
    );
    expect(decision).toEqual({
      accepted: true,
      schema: { schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2', mimeType: 'application/xml' },
    });
  });

  it('among several for the version, prefers one whose fragment names the message; a fragment of another message never matches', () => {
    const decision = decideOffer(
      offering(
        { schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2#gewerbemeldung.0100' },
        { schemaUri: 'http://www.xgewerbeanzeige.de/spezifikation/2.2' },
        { schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2#gewerbemeldung.0300' },
      ),
      gewerbe,
    );
    expect(decision).toMatchObject({
      accepted: true,
      schema: { schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2#gewerbemeldung.0300' },
    });
  });

  it('recognises the message namespace and XÖV URNs whose name ends in the standard (XMeld under XInneres)', () => {
    expect(namesProducedSchema('http://www.osci.de/xmeld2611', xmeld)).toBe(true);
    expect(namesProducedSchema('urn:xoev-de:kosit:standard:xinneres.xmeld_26.11', xmeld)).toBe(true);
    expect(namesProducedSchema('urn:xoev-de:kosit:standard:xinneres.xmeld_26.11.0', xmeld)).toBe(true);
    expect(namesProducedSchema('urn:xoev-de:kosit:standard:xinneres.xmeld_25.11', xmeld)).toBe(false);
    expect(namesProducedSchema('urn:xoev-de:kosit:standard:xinneres.xmeld', xmeld)).toBe(false);
    expect(namesProducedSchema('urn:xoev-de:kosit:standard:xmeldx_26.11', xmeld)).toBe(false);
    expect(namesProducedSchema('http://www.osci.de/xmeld2511', xmeld)).toBe(false);
    expect(namesProducedSchema('urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.20', gewerbe.data)).toBe(false);
  });

  it('JSON data: the offered URI must be their JSON Schema $id; an XÖV URN never names JSON', () => {
    const info = (schemaUri: string, mimeType = 'application/json') => ({
      metadataVersions: undefined,
      publicServices: [{ identifier: hundesteuer.serviceIdentifier, submissionSchemas: [{ schemaUri, mimeType }] }],
    });
    expect(decideOffer(info(hundesteuer.data.uris[0]), hundesteuer)).toEqual({
      accepted: true,
      schema: { schemaUri: hundesteuer.data.uris[0], mimeType: 'application/json' },
    });
    expect(decideOffer(info('https://example.org/other.json'), hundesteuer).accepted).toBe(false);
    expect(decideOffer(info(hundesteuer.data.uris[0], 'application/xml'), hundesteuer).accepted).toBe(false);
  });

  it('refuses a service the destination does not offer, an empty list included, naming it', () => {
    const decision = decideOffer(offering(), {
      ...gewerbe,
      serviceIdentifier: 'urn:de:fim:leika:leistung:99999999999999',
    });
    expect(decision).toEqual({
      accepted: false,
      mismatches: [
        {
          reason: 'service-not-offered',
          service: 'urn:de:fim:leika:leistung:99999999999999',
          offered: ['urn:de:fim:leika:leistung:99108001001000', gewerbe.serviceIdentifier],
        },
      ],
    });
    expect(decideOffer({ metadataVersions: undefined, publicServices: [] }, gewerbe)).toMatchObject({
      accepted: false,
      mismatches: [{ reason: 'service-not-offered', offered: [] }],
    });
  });

  it('refuses when no offered schema fits: another version, another media type, or none at all', () => {
    for (const schemas of [
      [{ schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.1' }],
      [{ schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2', mimeType: 'application/json' }],
      [],
    ]) {
      const decision = decideOffer(offering(...schemas), gewerbe);
      expect(decision).toEqual({
        accepted: false,
        mismatches: [
          {
            reason: 'schema-not-offered',
            service: gewerbe.serviceIdentifier,
            wanted: 'xgewerbeanzeige 2.2 (alg.gewerbemeldung.0300, application/xml)',
            offered: schemas,
          },
        ],
      });
    }
  });

  it('refuses a metadata version the destination does not read, together with the other mismatches', () => {
    const decision = decideOffer(
      { metadataVersions: ['1.0.0'], publicServices: [{ identifier: 'urn:other' }] },
      gewerbe,
    );
    expect(decision.accepted).toBe(false);
    expect(!decision.accepted && decision.mismatches.map((m) => m.reason)).toEqual([
      'metadata-version-not-supported',
      'service-not-offered',
    ]);
    expect(decideOffer({ metadataVersions: [], publicServices: undefined }, gewerbe).accepted).toBe(false);
  });

  it('what the destination does not say is no mismatch: the configured URI, else the data’s own first URI', () => {
    const silent = { metadataVersions: undefined, publicServices: undefined };
    expect(decideOffer(silent, gewerbe)).toEqual({
      accepted: true,
      schema: { schemaUri: 'http://www.xgewerbeanzeige.de/spezifikation/2.2', mimeType: 'application/xml' },
    });
    const noSchemas = { metadataVersions: ['2.1.0'], publicServices: [{ identifier: gewerbe.serviceIdentifier }] };
    expect(decideOffer(noSchemas, { ...gewerbe, configuredSchemaUri: 'urn:example:configured' })).toEqual({
      accepted: true,
      schema: { schemaUri: 'urn:example:configured', mimeType: 'application/xml' },
    });
  });

  it('a configured schema URI must be offered exactly as configured', () => {
    const configured = { ...gewerbe, configuredSchemaUri: 'urn:example:gewerbe-profil-7' };
    expect(decideOffer(offering({ schemaUri: 'urn:example:gewerbe-profil-7' }), configured)).toMatchObject({
      accepted: true,
      schema: { schemaUri: 'urn:example:gewerbe-profil-7' },
    });
    // Even a schema that would fit the produced data: the operator asked for this one.
    const other = decideOffer(offering({ schemaUri: 'urn:xoev-de:bmwk:standard:xgewerbeanzeige_2.2' }), configured);
    expect(other).toMatchObject({
      accepted: false,
      mismatches: [
        { reason: 'schema-not-offered', wanted: 'the schema urn:example:gewerbe-profil-7 (application/xml)' },
      ],
    });
  });

  it('says the mismatch to the portal without what the destination offers, and to the operator with it', () => {
    const decision = decideOffer(
      { metadataVersions: ['1.0.0'], publicServices: [{ identifier: 'urn:other' }] },
      gewerbe,
    );
    if (decision.accepted) throw new Error('expected a mismatch');
    expect(decision.mismatches.map(mismatchDetail)).toEqual([
      'it does not read FIT-Connect metadata 2.1.0',
      'it does not offer the service urn:de:fim:leika:leistung:99050012104000',
    ]);
    expect(decision.mismatches.map(mismatchReport)).toEqual([
      'it does not read FIT-Connect metadata 2.1.0 (it reads: 1.0.0)',
      'it does not offer the service urn:de:fim:leika:leistung:99050012104000 (it offers: urn:other)',
    ]);
  });

  it('the metadata version checked is the one the gateway writes', () => {
    expect(metadataVersionWritten).toBe('2.1.0');
  });
});
