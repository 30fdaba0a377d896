/** @module tiny-vocab: a small vocabulary in CLIP's format (byte symbols, their </w> forms, merges, special tokens). */
import { clipEndToken, clipStartToken } from "../clip-tokenizer.js";

/** Words the tiny vocabulary merges into whole tokens; anything else falls back to byte-level pieces. */
const tinyWords = (
  "a an the of in on with and photo picture painting portrait landscape cat dog bird horse person man " +
  "woman child face head eyes mouth smile smiling open closed hair hand car boat house tree flower " +
  "flowers sky cloud clouds sun sunset mountain mountains river lake sea beach city street road red " +
  "blue green yellow white black big small left right up down turn move style oil watercolor high " +
  "quality detailed snow winter summer night day"
).split(" ");

export interface ClipVocabFiles {
  /** tokenizer/vocab.json content. */
  readonly vocab: Record<string, number>;
  /** tokenizer/merges.txt content. */
  readonly merges: string;
}

/** GPT-2 / CLIP byte -> printable character table (bytes_to_unicode). */
export function byteSymbols(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const codePoints = [...printable];
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (!printable.includes(b)) {
      codePoints.push(256 + extra);
      extra += 1;
    }
  }
  return codePoints.map((cp) => String.fromCodePoint(cp));
}

/**
 * Builds the vocabulary the way CLIP's is laid out: the 256 byte symbols, the same with "</w>", one token per
 * merge (here: left-to-right merges spelling each word of `words`), then <|startoftext|> and <|endoftext|>.
 */
export function tinyClipVocab(words: readonly string[] = tinyWords): ClipVocabFiles {
  const symbols = byteSymbols();
  const tokens = [...symbols, ...symbols.map((s) => `${s}</w>`)];
  const merges: string[] = [];
  const known = new Set(tokens);
  for (const word of words) {
    const chars = Array.from(word);
    let left = chars[0]!;
    for (let i = 1; i < chars.length; i++) {
      const right = i === chars.length - 1 ? `${chars[i]}</w>` : chars[i]!;
      const merged = left + right;
      if (!known.has(merged)) {
        known.add(merged);
        tokens.push(merged);
        merges.push(`${left} ${right}`);
      }
      left = merged;
    }
  }
  tokens.push(clipStartToken, clipEndToken);
  const vocab: Record<string, number> = {};
  tokens.forEach((token, id) => {
    vocab[token] = id;
  });
  return { vocab, merges: `#version: 0.2\n${merges.join("\n")}\n` };
}
