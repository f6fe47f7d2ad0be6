/** One version of one code list, as read from a genericode file. */
export interface CodeList {
  /** genericode CanonicalUri, the XÖV `listURI`. */
  uri: string;
  /** genericode Version, the XÖV `listVersionID`. */
  version: string;
  shortName: string;
  /** Code → display name (the list's name column, where it has one). */
  codes: ReadonlyMap<string, string | undefined>;
  /** The file it came from, for messages and the admin page. */
  file: string;
  /** True for Amtsbote's own excerpts; an official file of the same list and version replaces them. */
  unofficial: boolean;
}

/** All loaded lists: listURI → listVersionID → list. */
export interface CodeLists {
  byUri: ReadonlyMap<string, ReadonlyMap<string, CodeList>>;
}
