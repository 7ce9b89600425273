// One torchtitan setting as both readers (TOML, Python) hand it over: its value and where the key and value are,
// keyed flat by section and name. Its own file so the settings table and the pipeline split both use it
// without importing each other.
import type { SourceRange } from '../../model/problems';

export interface Setting {
  value: unknown;
  key: SourceRange;
  valueRange: SourceRange;
}

export type Settings = Map<string, Setting>;
