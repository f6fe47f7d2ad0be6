/**
 * What an inbound mapping is once loaded, and what applying one gives. Bad received data are an answer
 * (`ok: false` with pointers), never an exception: the pick-up turns them into a reject-submission SET.
 */
import type { CompiledInboundExpression } from './inbound-mapping-expression.js';

export interface InboundIssue {
  /** Where in the received data: a JSON pointer for JSON, libxml2's XPath for XML, '' for the whole. */
  pointer: string;
  detail: string;
}

export interface InboundProduce {
  service: string;
  when?: CompiledInboundExpression;
  data: CompiledInboundExpression;
}

export interface InboundMapping {
  /** The mapping file, for messages and the admin's view. */
  file: string;
  schemaUri: string;
  mimeType: 'application/json' | 'application/xml';
  /** Every service key the mapping may produce, in file order. */
  services: readonly string[];
  produces: readonly InboundProduce[];
  /** `all` but `data`, none, or those of the listed purposes. */
  attachments: 'all' | 'none' | { purposes: readonly string[] };
  maxBytes: number;
  xml?: { namespace: string; rootNames: ReadonlySet<string>; lists: ReadonlySet<string> };
  /** The local schema check before mapping; absent: syntax only. */
  validate?: (data: InboundData) => InboundIssue[];
}

/** The received data once parsed: JSON as parsed; XML as the text (for the XSD) and the root's content. */
export type InboundData = { kind: 'json'; value: unknown } | { kind: 'xml'; text: string; value: unknown };

export interface InboundMappings {
  find(schemaUri: string, mimeType: string): InboundMapping | undefined;
  list(): readonly InboundMapping[];
}

export interface InboundInput {
  data: Buffer;
  metadata: Record<string, unknown>;
  attachments: readonly { id: string; mediaType: string; purpose: string; filename?: string }[];
}

export type InboundResult =
  | {
      ok: true;
      serviceKey: string;
      data: Record<string, unknown>;
      /** The attachments that come along, by FIT-Connect attachment id. */
      attachments: { id: string; purpose: string }[];
    }
  | { ok: false; reason: 'data-syntax' | 'data-schema'; errors: InboundIssue[] };
