import { describe, expect, it } from "vitest";
import { JobFailure } from "../job-failure.js";
import { createClipTokenizer } from "./clip-tokenizer.js";
import { tinyClipVocab } from "./tiny/tiny-vocab.js";

describe("CLIP tokenizer", () => {
  it("matches transformers' CLIP tokenization test (vocab, merges and 'lower newer')", () => {
    const tokens = ["l", "o", "w", "e", "r", "s", "t", "i", "d", "n", "lo", "l</w>", "w</w>", "r</w>", "t</w>"];
    tokens.push("low</w>", "er</w>", "lowest</w>", "newer</w>", "wider", "<unk>", "<|startoftext|>", "<|endoftext|>");
    const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
    const tokenizer = createClipTokenizer({ vocab, merges: "#version: 0.2\nl o\nlo w</w>\ne r</w>\n" });
    const names = tokenizer.tokenize("lower newer").map((id) => tokens[id]);
    expect(names).toEqual(["lo", "w", "er</w>", "n", "e", "w", "er</w>"]);
  });

  it("lowercases, splits punctuation and uses whole-word merges of the tiny vocabulary", () => {
    const { vocab, merges } = tinyClipVocab();
    const tokenizer = createClipTokenizer({ vocab, merges });
    const expected = ["a</w>", "photo</w>", "of</w>", "a</w>", "cat</w>", ",</w>", "smiling</w>", "!</w>"];
    expect(tokenizer.tokenize("A  photo of a CAT, smiling!")).toEqual(expected.map((t) => vocab[t]));
  });

  it("reads the start and end ids from the vocabulary and pads SD1-style with the end token", () => {
    const { vocab, merges } = tinyClipVocab();
    const tokenizer = createClipTokenizer({ vocab, merges });
    expect(tokenizer.startId).toBe(vocab["<|startoftext|>"]);
    expect(tokenizer.endId).toBe(vocab["<|endoftext|>"]);
    const ids = tokenizer.encode("a cat");
    expect(ids.length).toBe(77);
    expect(Array.from(ids.slice(0, 5))).toEqual([
      tokenizer.startId,
      vocab["a</w>"],
      vocab["cat</w>"],
      tokenizer.endId,
      tokenizer.endId,
    ]);
    expect(ids[76]).toBe(tokenizer.endId);
  });

  it("pads SD2-style with the configured pad token ('!', id 0)", () => {
    const { vocab, merges } = tinyClipVocab();
    const tokenizer = createClipTokenizer({ vocab, merges, padToken: "!" });
    expect(tokenizer.padId).toBe(0);
    const ids = tokenizer.encode("");
    expect(Array.from(ids.slice(0, 3))).toEqual([tokenizer.startId, tokenizer.endId, 0]);
  });

  it("accepts exactly 75 prompt tokens and rejects 76 with prompt_too_long", () => {
    const { vocab, merges } = tinyClipVocab();
    const tokenizer = createClipTokenizer({ vocab, merges });
    const ids = tokenizer.encode(Array(75).fill("cat").join(" "));
    expect(ids[76]).toBe(tokenizer.endId);
    expect(ids[75]).toBe(vocab["cat</w>"]);
    const tooLong = () => tokenizer.encode(Array(76).fill("cat").join(" "));
    expect(tooLong).toThrow(JobFailure);
    expect(tooLong).toThrow(/78 CLIP tokens.*at most 77/);
  });

  it("names the missing special token of a vocabulary", () => {
    expect(() => createClipTokenizer({ vocab: { a: 0 }, merges: "" })).toThrow(/<\|startoftext\|>/);
  });
});
