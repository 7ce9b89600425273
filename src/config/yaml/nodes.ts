// The YAML tree's node types, shared by the three ways of reading a text (yamlSplit.ts, yamlCst.ts,
// yamlDocument.ts) and by the walk over it (yamlTree.ts). Types only, so the readers and the walk import them
// without importing each other.
export type YamlScalarValue = string | number | boolean | null;

/** Offsets as the yaml package gives them: start, end of the node's text, end after its comment and line break. */
export type YamlRange = readonly [number, number, number];

export interface YamlScalar {
  readonly kind: 'scalar';
  readonly range: YamlRange;
  /** The core schema's value; undefined for a tagged value JS has no scalar for (`!!binary`). */
  readonly value: YamlScalarValue | undefined;
}

export interface YamlPair {
  /** The key's value when the key is a scalar; undefined for a map, list or alias as key. */
  readonly key: YamlScalarValue | undefined;
  readonly keyRange: YamlRange | undefined;
  /** Null only where the text has no value at all (`{a}`); `key:` has a null scalar. */
  readonly value: YamlNode | null;
}

export interface YamlMap {
  readonly kind: 'map';
  readonly range: YamlRange;
  readonly pairs: readonly YamlPair[];
}

export interface YamlSeq {
  readonly kind: 'seq';
  readonly range: YamlRange;
  readonly items: readonly (YamlNode | null)[];
}

export interface YamlAlias {
  readonly kind: 'alias';
  readonly range: YamlRange;
  /** The anchored node; null when the anchor is missing or is itself an alias. */
  readonly target: YamlNode | null;
}

/** What else the document can hold where a node is expected (the entries of an `!!omap` list). */
export interface YamlOther {
  readonly kind: 'other';
  readonly range: undefined;
}

export type YamlNode = YamlScalar | YamlMap | YamlSeq | YamlAlias | YamlOther;
