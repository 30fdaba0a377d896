/** @module prompt-encoder: prompt -> CLIP token ids -> the text encoder's last hidden state. */
import type { ClipTokenizer } from "./clip-tokenizer.js";
import type { InferenceClient, LoadedSession } from "./inference-client.js";
import { findTensor, floatValues, numberTensor } from "./tensor-io.js";

/** One prompt's embedding: [1, sequence, hidden] floats. */
export interface PromptEmbedding {
  readonly data: Float32Array;
  readonly sequenceLength: number;
  readonly hiddenSize: number;
}

export type PromptEncoder = (prompt: string) => Promise<PromptEmbedding>;

/** Tokenizes on this thread (cheap) and runs the text encoder in the worker; input_ids may be int64 or int32. */
export function createPromptEncoder(
  client: InferenceClient,
  session: LoadedSession,
  tokenizer: ClipTokenizer,
): PromptEncoder {
  const input = findTensor(session.signature, "inputs", ["input_ids"], "text_encoder");
  const output = findTensor(session.signature, "outputs", ["last_hidden_state"], "text_encoder");
  return async (prompt) => {
    const ids = tokenizer.encode(prompt);
    const outputs = await client.run(session.name, {
      [input.name]: numberTensor(Array.from(ids), [1, ids.length], input),
    });
    const hidden = outputs[output.name];
    const data = floatValues(hidden, output.name);
    const hiddenSize = hidden?.dims[2] ?? 0;
    return { data, sequenceLength: ids.length, hiddenSize };
  };
}
