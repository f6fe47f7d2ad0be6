/** The element tree a mapping produces before it is written as XML. */
export interface BuiltElement {
  qname: string;
  /** Namespace URI; absent for unqualified elements such as XÖV's `<code>`. */
  namespace?: string;
  attributes: [name: string, value: string][];
  text?: string;
  children: BuiltElement[];
  /** JSON pointer (into the request body) of the input field the element came from, where known. */
  pointer?: string;
}
