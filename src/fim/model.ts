/**
 * A Stammdatenschema as the importer understands it, the same for XDatenfelder 2.0 and 3.0.0: the reader
 * (read-xdatenfelder.ts) fills it from either version, everything after it works on this model alone.
 */

/** The XDatenfelder versions the importer reads; 1.0 is refused (its structure is not the same). */
export type XdfVersion = '2.0' | '3.0.0';

/** FIM data types (XDatenfelder code list `datentyp`, equal in 2.0 and 3.0.0 but for time, datetime, text_latin). */
export const fimDataTypes = [
  'text',
  'text_latin',
  'date',
  'time',
  'datetime',
  'bool',
  'num',
  'num_int',
  'num_currency',
  'file',
  'obj',
] as const;
export type FimDataType = (typeof fimDataTypes)[number];

/** FIM field kinds (`feldart`): input, select (a choice of codes), label (static text), hidden, locked. */
export type FimFieldKind = 'input' | 'select' | 'label' | 'hidden' | 'locked';

/** `anzahl`: `1:1`, `0:*`, `2:5` … — max undefined means unbounded. */
export interface Cardinality {
  min: number;
  max: number | undefined;
}

/** A rule as FIM publishes it: free text (and a script stub), for a person to turn into an assertion. */
export interface FimRule {
  id: string;
  version: string | undefined;
  name: string;
  definition: string;
  script: string;
}

/** `praezisierung`: 3.0.0 has attributes, 2.0 a JSON text (or, in real schemas, free text such as `1..31`). */
export interface Precision {
  minLength?: number;
  maxLength?: number;
  minValue?: string;
  maxValue?: string;
  pattern?: string;
  /** What could not be read as any of the above, verbatim. */
  unreadable?: string;
}

export interface CodeValue {
  code: string;
  name: string | undefined;
}

/** A genericode list a select field refers to (XRepository identification). */
export interface CodeListReference {
  canonicalUri: string;
  version: string | undefined;
  canonicalVersionUri: string | undefined;
}

export interface FimElementBase {
  id: string;
  version: string | undefined;
  name: string;
  /** `bezeichnungEingabe` (3.0.0 groups and fields too), the label a form shows. */
  label: string | undefined;
  description: string | undefined;
  help: string | undefined;
  rules: FimRule[];
}

export interface FimField extends FimElementBase {
  kind: 'field';
  fieldKind: FimFieldKind;
  dataType: FimDataType;
  precision: Precision;
  /** `inhalt`: a default value, or the text of a label field. */
  content: string | undefined;
  /** Inline values (3.0.0 `werte`). */
  values: CodeValue[] | undefined;
  codeList: CodeListReference | undefined;
  /** 3.0.0 file fields: maximum size in bytes and allowed media types. */
  maxSize: number | undefined;
  mediaTypes: string[];
}

export interface FimGroup extends FimElementBase {
  kind: 'group';
  /** 3.0.0 `art` X: exactly one of the members is given. */
  choice: boolean;
  members: FimMember[];
}

/** One `struktur` entry: an element with its cardinality at this place. */
export interface FimMember {
  element: FimField | FimGroup;
  cardinality: Cardinality;
}

export interface FimSchema {
  xdfVersion: XdfVersion;
  id: string;
  version: string | undefined;
  name: string;
  label: string | undefined;
  description: string | undefined;
  rules: FimRule[];
  members: FimMember[];
  /** Deviations from the standard seen while reading (real published schemas have some); never refusals. */
  warnings: string[];
}
