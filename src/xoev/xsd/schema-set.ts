import type { XmlDocument, XsdValidator } from 'libxml2-wasm';

/** Where a schema set came from; official sets installed by an operator take precedence over profiles. */
export type SchemaSetKind = 'amtsbote-profile' | 'official';

/** A compiled XSD schema set for one standard and version, reused for every message. */
export interface SchemaSet {
  /** Recorded in each message's metadata: `amtsbote-profile:xgewerbeanzeige/2.2` or `official:<dir name>`. */
  id: string;
  kind: SchemaSetKind;
  standard: string;
  version: string;
  /** Absolute path of the root schema file. */
  rootFile: string;
  validator: XsdValidator;
  /** The parsed root schema, kept alive as long as the validator compiled from it. */
  schemaDocument: XmlDocument;
}

/** A schema error as libxml2 reports it, with the value removed from the message (it may be personal data). */
export interface XsdIssue {
  message: string;
  line?: number;
  column?: number;
  /** libxml2's path of the offending node, e.g. `/xga:alg.gewerbemeldung.0300/xga:satz/…/xga:familienname`. */
  xmlPath?: string;
}

export interface XsdValidationResult {
  valid: boolean;
  schemaSet: string;
  errors: XsdIssue[];
}
