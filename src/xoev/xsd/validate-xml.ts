/**
 * Validates a message against a compiled schema set. The document is parsed with no input provider
 * registered and NONET, so it can reach neither files nor the network, and it is disposed in `finally`:
 * WASM memory is not garbage-collected, and a request that fails must not leak it.
 */
import { ParseOption, XmlDocument, XmlLibError } from 'libxml2-wasm';
import type { ErrorDetail } from 'libxml2-wasm';
import { sanitizeXsdMessage } from './sanitize-message.js';
import type { SchemaSet, XsdIssue, XsdValidationResult } from './schema-set.js';

const parseOptions = { option: ParseOption.XML_PARSE_NONET };

export function validateXml(set: SchemaSet, xml: string): XsdValidationResult {
  let doc: XmlDocument | undefined;
  try {
    doc = XmlDocument.fromString(xml, parseOptions);
    set.validator.validate(doc);
    return { valid: true, schemaSet: set.id, errors: [] };
  } catch (e) {
    if (!(e instanceof XmlLibError)) throw e;
    const issues = toIssues(e.details);
    return {
      valid: false,
      schemaSet: set.id,
      errors: issues.length > 0 ? issues : [{ message: sanitizeXsdMessage(e.message) }],
    };
  } finally {
    doc?.dispose();
  }
}

function toIssues(details: ErrorDetail[]): XsdIssue[] {
  // Warnings (level 1) do not make a document invalid.
  return details
    .filter((d) => d.level >= 2)
    .map((d) => ({
      message: sanitizeXsdMessage(d.message),
      ...(d.line > 0 ? { line: d.line } : {}),
      ...(d.col > 0 ? { column: d.col } : {}),
      ...(d.xpath !== undefined ? { xmlPath: d.xpath } : {}),
    }));
}
