import { canonicalize } from 'json-canonicalize';
import {
  AUTHENTICATION_METHODS,
  LEVELS_OF_ASSURANCE,
  type AuthenticationInfo,
} from '../../receiver/authentication-info.js';
import { sha512Hash } from '../lib/sha512.js';

/**
 * Where FIT-Connect metadata 2.1.0 carries how the applicant was identified. Metadata 1.0.0 had
 * `authenticationInformation` (identification reports, base64url); 2.x dropped it and documents `dataSets`
 * as the place for further content: each entry names the schema its `content` follows ("other schemas must
 * be agreed between the communication partners"). So the portal's `{method, levelOfAssurance}` travels as one
 * data set under Amtsbote's own schema URI, documented in docs/sealed-message.md ("FIT-Connect destinations").
 * Not a top-level member of our own: 2.1.0 does not forbid one, but no receiver would know where to look,
 * while a data set is what a FIT-Connect receiver is told to check against a schema it agreed on.
 */
export const AUTHENTICATION_DATA_SET_SCHEMA = 'https://amtsbote.dev/schemas/fit-connect/authentication/1.json';

/** The JSON Schema `AUTHENTICATION_DATA_SET_SCHEMA` names: what a receiver validates the content against. */
export const authenticationDataSetJsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: AUTHENTICATION_DATA_SET_SCHEMA,
  title: 'How the applicant was identified (Amtsbote)',
  type: 'object',
  required: ['method'],
  additionalProperties: false,
  properties: {
    method: { enum: [...AUTHENTICATION_METHODS] },
    levelOfAssurance: { enum: [...LEVELS_OF_ASSURANCE] },
  },
};

/**
 * The data set: `content` is the object itself, and its `hash` the SHA-512 of the content's RFC 8785
 * (JCS) canonical JSON — FIT-Connect defines the hash "over the content field", and canonical JSON is the
 * one reading of that a receiver can recompute from the parsed metadata.
 */
export function authenticationDataSet(authentication: AuthenticationInfo, dataSetId: string) {
  const content = { ...authentication };
  return {
    dataSetId,
    schema: { schemaUri: AUTHENTICATION_DATA_SET_SCHEMA, mimeType: 'application/json' as const },
    hash: sha512Hash(Buffer.from(canonicalize(content), 'utf8')),
    description: 'How the applicant was identified, as the online service reported it',
    content,
  };
}
