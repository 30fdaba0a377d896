/** @module clip-tokenizer: CLIP BPE tokenization from vocab.json + merges.txt, padded or truncated to the context. */
import { Tokenizer } from "@huggingface/tokenizers";
import { editLimits } from "@stochedit/shared";
import { JobFailure } from "../job-failure.js";

export const clipStartToken = "<|startoftext|>";
export const clipEndToken = "<|endoftext|>";

/**
 * CLIP's pre-tokenizer pattern, as in the tokenizer.json that transformers writes for CLIPTokenizerFast:
 * special tokens, English contractions, letter runs, single digits, runs of other non-space characters.
 */
const clipSplitPattern =
  "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

export interface ClipTokenizerFiles {
  /** Token -> id, as in tokenizer/vocab.json. */
  readonly vocab: Readonly<Record<string, number>>;
  /** The text of tokenizer/merges.txt ("#version" header, then one "left right" pair per line). */
  readonly merges: string;
  /** The padding token's text (SD 1.x: the end token; SD 2.x: "!"); defaults to the end token. */
  readonly padToken?: string;
  /** Context length (CLIP: 77, start and end tokens included). */
  readonly contextLength?: number;
}

export interface ClipTokenizer {
  readonly startId: number;
  readonly endId: number;
  readonly padId: number;
  readonly contextLength: number;
  /** Token ids of the prompt without special tokens. */
  tokenize(prompt: string): number[];
  /** [start, ...tokens, end, pad...] of exactly contextLength ids; JobFailure("prompt_too_long") when it does not fit. */
  encode(prompt: string): Int32Array;
}

export function createClipTokenizer(files: ClipTokenizerFiles): ClipTokenizer {
  const startId = requireToken(files.vocab, clipStartToken);
  const endId = requireToken(files.vocab, clipEndToken);
  const padId = files.padToken === undefined ? endId : requireToken(files.vocab, files.padToken);
  const contextLength = files.contextLength ?? editLimits.promptMaxTokens;
  const merges = files.merges.split("\n").filter((line) => line.length > 0 && !line.startsWith("#version"));
  const tokenizer = new Tokenizer(
    {
      normalizer: {
        type: "Sequence",
        normalizers: [
          { type: "NFC" },
          { type: "Replace", pattern: { Regex: "\\s+" }, content: " " },
          { type: "Lowercase" },
        ],
      },
      pre_tokenizer: {
        type: "Sequence",
        pretokenizers: [
          { type: "Split", pattern: { Regex: clipSplitPattern }, behavior: "Removed", invert: true },
          { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
        ],
      },
      model: {
        type: "BPE",
        vocab: files.vocab,
        merges,
        unk_token: clipEndToken,
        continuing_subword_prefix: "",
        end_of_word_suffix: "</w>",
        fuse_unk: false,
        byte_fallback: false,
      },
      // Special tokens are placed by `encode` itself, so no post-processor; decoding is only for debugging.
      post_processor: null,
      decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
      added_tokens: [
        { id: startId, content: clipStartToken, special: true, normalized: true, lstrip: false, rstrip: false },
        { id: endId, content: clipEndToken, special: true, normalized: false, lstrip: false, rstrip: false },
      ],
    },
    {},
  );

  const tokenize = (prompt: string) => tokenizer.encode(prompt, { add_special_tokens: false }).ids;
  return {
    startId,
    endId,
    padId,
    contextLength,
    tokenize,
    encode(prompt) {
      const tokens = tokenize(prompt);
      const room = contextLength - 2;
      if (tokens.length > room) {
        throw new JobFailure(
          "prompt_too_long",
          `the prompt is ${tokens.length + 2} CLIP tokens with start and end; at most ${contextLength} are allowed`,
        );
      }
      const ids = new Int32Array(contextLength).fill(padId);
      ids[0] = startId;
      ids.set(tokens, 1);
      ids[tokens.length + 1] = endId;
      return ids;
    },
  };
}

function requireToken(vocab: Readonly<Record<string, number>>, token: string): number {
  const id = vocab[token];
  if (id === undefined) {
    throw new JobFailure("model_not_found", `the tokenizer vocabulary has no ${JSON.stringify(token)} token`);
  }
  return id;
}
