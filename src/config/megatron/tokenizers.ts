// The vocabulary a Megatron / NeMo run trains with when the file names a tokenizer instead of a vocabulary size:
// the tokenizer's own size (by its Megatron type or by the model id or file name it loads), padded as Megatron pads
// it (megatron/training/tokenizer: `_vocab_size_with_padding`) to a multiple of make-vocab-size-divisible-by
// (default 128) × tensor-parallel size, so every TP rank holds an equal slice of the embedding and the LM head.

interface TokenizerEntry {
  /** Matched against the tokenizer type, model id or model file path as written. */
  pattern: RegExp;
  name: string;
  vocab: number;
}

/** Well-known tokenizers, most specific first (sizes from each model's tokenizer / config.json). */
const TOKENIZERS: readonly TokenizerEntry[] = [
  { pattern: /^GPT2BPETokenizer$/i, name: 'GPT-2 BPE', vocab: 50_257 },
  { pattern: /gpt-?neox|pythia/i, name: 'GPT-NeoX', vocab: 50_277 },
  { pattern: /llama-?3|llama3/i, name: 'Llama 3', vocab: 128_256 },
  { pattern: /^Llama2Tokenizer$|llama-?2/i, name: 'Llama 2', vocab: 32_000 },
  { pattern: /nemotron.*256k|256k.*\.model$/i, name: 'Nemotron (256k SentencePiece)', vocab: 256_000 },
  { pattern: /mistral-?nemo|tekken/i, name: 'Mistral NeMo (Tekken)', vocab: 131_072 },
  { pattern: /mixtral-?8x22b|mistral-7b-v0\.3|mistral-large/i, name: 'Mistral v3', vocab: 32_768 },
  { pattern: /mixtral-?8x7b|mistral-7b(-v0\.[12])?/i, name: 'Mistral v1', vocab: 32_000 },
  { pattern: /qwen-?[23]|qwen2\.5/i, name: 'Qwen2 / Qwen3', vocab: 151_936 },
  { pattern: /deepseek-?v[23]|deepseek-r1/i, name: 'DeepSeek-V3', vocab: 129_280 },
];

export interface TokenizerVocab {
  name: string;
  /** The tokenizer's own vocabulary. */
  vocab: number;
}

/** The tokenizer a type / model id / path names, or undefined when it is none of the catalog's. */
export function findTokenizer(text: string): TokenizerVocab | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const entry = TOKENIZERS.find((candidate) => candidate.pattern.test(trimmed));
  return entry ? { name: entry.name, vocab: entry.vocab } : undefined;
}

/** Megatron's default --make-vocab-size-divisible-by. */
export const DEFAULT_VOCAB_DIVISOR = 128;

/** `vocab` rounded up to a multiple of divisor × tp, as Megatron pads it. */
export function paddedVocab(vocab: number, divisor: number, tp: number): number {
  const multiple = Math.max(1, divisor) * Math.max(1, tp);
  return Math.ceil(vocab / multiple) * multiple;
}
