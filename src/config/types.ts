// What every reader returns, and how a design field's value is traced back to where it came from.
import type { DesignDraft, FieldPath } from '../model/design';
import type { Problem, SourceRange } from '../model/problems';

export type FormatId =
  | 'plens-yaml'
  | 'megatron-shell'
  | 'megatron-functest-yaml'
  | 'nemo-yaml'
  | 'megatron-bridge-yaml'
  | 'torchtitan-toml'
  | 'torchtitan-python'
  | 'nemo-python'
  | 'deepspeed-json'
  | 'hf-config-json';

/** Design field → the range of the key (and value) that set it. */
export type SourceMap = Map<FieldPath, { key: SourceRange; value: SourceRange }>;

/** Where a completed design's value came from (CONTRACT.md `origins.*.from`). */
export type OriginKind = 'file' | 'directive' | 'workspace' | 'setting' | 'catalog' | 'default' | 'derived' | 'flag';

export interface Origin {
  from: OriginKind;
  /** Where in the file, for `file` and `directive`. */
  range?: SourceRange;
  /** A short note for hovers: the catalog entry, the setting's name, the rule that derived it. */
  detail?: string;
}

export interface ReadResult {
  format: FormatId;
  design: DesignDraft;
  sourceMap: SourceMap;
  problems: Problem[];
  /** Files the config names whose values complete it (Megatron-DeepSpeed's `--deepspeed_config FILE`, `--hostfile FILE`). */
  companions?: CompanionFile[];
}

/** A file a config names, read by completion through the caller's guarded reading, relative to the config. */
export interface CompanionFile {
  /** A DeepSpeed JSON config, or the DeepSpeed launcher's hostfile (`host slots=N` per line: the world size). */
  kind: 'deepspeed-config' | 'hostfile';
  path: string;
  /** Where the config names it: problems about the file are said there. */
  range: SourceRange;
}

/** A reader answers `undefined` when the text is not its format (detection by content), never throws. */
export type Reader = (text: string, fileName: string) => ReadResult | undefined;
