// One Megatron key as a reader found it, shared by megatronKeys.ts and the files it hands groups of keys to
// (implied values, offloading, optimizer states, capacity), so they import this leaf and not each other.
import type { SourceRange } from '../../model/problems';

export interface KeyValue {
  /** The key as written, for messages. */
  name: string;
  /** A scalar (interpolations resolved where possible), a Symbolic, or a list of scalars. */
  raw: unknown;
  keyRange: SourceRange;
  valueRange: SourceRange;
}

/** Looks a key up by Megatron's underscore name. */
export type KeyLookup = (name: string) => KeyValue | undefined;

/** Whether the file gives the key a value (YAML `~` / `null` reads as unset, as Megatron's argparse defaults do). */
export const isSet = (entry: KeyValue | undefined): entry is KeyValue => entry !== undefined && entry.raw !== null && entry.raw !== undefined;
