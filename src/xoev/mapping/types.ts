/** What the mapping engine works with: the context of one message, and compiled mappings. */
import type { AttachmentPurpose } from '../../receiver/format.js';
import type { CompiledExpression } from './expression.js';

export interface Authority {
  praefix: string;
  kennung: string;
  kennungListUri: string;
  name: string;
  /**
   * Ways to reach it (XÖV `erreichbarkeit`): `kanal` is a code of urn:de:xoev:codeliste:erreichbarkeit
   * (`01` e-mail, `02` phone, `09` web …). XMeld requires at least one for the `autor`.
   */
  erreichbarkeit?: readonly Erreichbarkeit[];
  /** Postal address (XInneres PostalischeInlandsanschrift); XMeld requires it for the `autor` (`anschrift.autor`). */
  anschrift?: PostalAddress;
}

export interface Erreichbarkeit {
  kanal: string;
  kennung: string;
  zusatz?: string;
}

/** A building address (`strasse` …) or a post office box (`postfach`); German keys as in XInneres. */
export interface PostalAddress {
  strasse?: string;
  /** Digits only in XInneres (at most four); a letter goes into `hausnummerZusatz`. */
  hausnummer?: string;
  hausnummerZusatz?: string;
  postfach?: string;
  postleitzahl: string;
  ort: string;
}

/** An attachment of the submission, for nodes that embed one (`attachment:`). */
export interface MappingAttachment {
  mediaType: string;
  filename?: string;
  content: Uint8Array;
}

/** Everything a mapping may read; bound in expressions as `$data`, `$envelope`, `$message`, … */
export interface MappingContext {
  /** The validated, NFC-normalised service data (the envelope's `data`). */
  data: unknown;
  envelope: { serviceKey: string; regionKey: string; reference?: string; test: boolean };
  message: { id: string; createdAt: string };
  region: { ars: string; ags: string; name: string };
  /**
   * Who writes the message (`autor`): for XGewerbeanzeige the Gewerbeamt of the region; for XMeld's
   * online-service messages (1700–1715) the online service (portal) itself, with `erreichbarkeit` and `anschrift`.
   */
  author: Authority;
  /** The destination's DVDV identity. */
  reader: Authority;
  product: { name: string; vendor: string; version: string };
  /** The portal's submission, shared by all messages it yields (satz `uuid`); defaults to the message id. */
  submission?: { id: string };
  /** The submission's attachments by envelope id, for `attachment:` nodes (none when absent). */
  attachments?: ReadonlyMap<string, MappingAttachment>;
}

/** What a destination receives: standard, version and message (for XGewerbeanzeige the recipient class). */
export interface MessageTarget {
  standard: string;
  version: string;
  /** Root element name, e.g. `alg.gewerbemeldung.0300`. */
  message: string;
}

export interface CompiledAttribute {
  name: string;
  value?: CompiledExpression;
  constant?: string;
}

export interface CompiledCode {
  list: string;
  version?: string;
  value?: CompiledExpression;
  constant?: string;
  /** `code` writes `<code>` (+ listURI/listVersionID); `name` writes the code's name as text. */
  as: 'code' | 'name';
  /** False for lists Amtsbote does not hold (e.g. a recipient's key list): written without a check. */
  check: boolean;
}

/** Embeds an attachment's content as base64 text (`xs:base64Binary`). */
export interface CompiledAttachment {
  /** Gives the attachment's id in the envelope (e.g. `landlordConfirmation.attachmentId`). */
  id: CompiledExpression;
  /** Media types the element may carry; any when absent. */
  mediaTypes?: ReadonlySet<string>;
}

/** A condition on the data the mapping relies on; when it is false the field is refused (`invalid-data`). */
export interface CompiledAssert {
  test: CompiledExpression;
  detail: string;
}

/** One node of a compiled mapping tree. A node without `element` is a group (an expanded fragment). */
export interface MappingNode {
  element?: { qname: string; namespace?: string };
  value?: CompiledExpression;
  constant?: string;
  code?: CompiledCode;
  attachment?: CompiledAttachment;
  assert?: CompiledAssert;
  attributes: CompiledAttribute[];
  children: MappingNode[];
  if?: CompiledExpression;
  each?: CompiledExpression;
  with?: CompiledExpression;
  required: boolean;
  /** Recipient classes (the root name's first part, e.g. `sta`) that receive this node; all when absent. */
  only?: ReadonlySet<string>;
  /** Explicit JSON pointer of the input field, where the engine cannot derive it. */
  pointer?: string;
  /** `file: /element/path`, for error messages. */
  location: string;
}

/** Which of the submission's attachments a message carries: all, none, or those of the listed purposes. */
export type AttachmentSelection = 'all' | 'none' | { readonly purposes: readonly AttachmentPurpose[] };

/** What every mapping has, XML or JSON: where it lies, and which services and messages it serves. */
export interface MappingHead {
  name: string;
  file: string;
  standard: string;
  version: string;
  /** LeiKa keys of the services this mapping serves. */
  services: readonly string[];
  /** Root element names (recipient classes) this mapping can produce; for JSON, the data sets' names. */
  messages: readonly string[];
  /** Which attachments a message carries where the file's `attachments:` names it; a message not named carries all. */
  attachments: ReadonlyMap<string, AttachmentSelection>;
}

export interface XmlMapping extends MappingHead {
  format: 'xml';
  namespaces: Readonly<Record<string, string>>;
  rootPrefix: string;
  root: MappingNode;
}

/** A mapping to JSON data: one expression for the whole object, checked against a JSON Schema. */
export interface JsonMapping extends MappingHead {
  format: 'json';
  body: CompiledExpression;
  /** The `$id` of the schema the delivered data meet: the message's schema URI. */
  schemaUri: string;
  /** Absolute path of that schema's file. */
  schemaFile: string;
  /** Checks a produced object against that schema; JSON pointers are into the produced object. */
  validate: (value: unknown) => { pointer: string; detail: string }[];
}

export type Mapping = XmlMapping | JsonMapping;

export interface MappingSet {
  mappings: readonly Mapping[];
}
