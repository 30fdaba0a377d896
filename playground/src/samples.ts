/**
 * @module samples: the README's first edits (docs/examples/examples.json) as the page's "Try a sample" choices:
 * pictures stochedit-mini knows, with the settings, points and mask that make each edit work on it.
 */
import { DragPair, Task } from "@stochedit/shared";
import { z } from "zod";
import manifest from "../../docs/examples/examples.json" with { type: "json" };

/**
 * Vite copies each picture into the build (served as a static asset next to the page) and gives its URL; the
 * README's marked-up inputs (`*-input.png`) stay out.
 */
const pictureUrls = import.meta.glob<string>(["../../docs/examples/*.png", "!../../docs/examples/*-input.png"], {
  query: "?url",
  import: "default",
  eager: true,
});

const SampleEntry = z.object({
  title: z.string(),
  image: z.string(),
  mask: z.string().optional(),
  request: z.object({
    task: Task,
    prompt: z.string(),
    points: z.array(DragPair).optional(),
    steps: z.int().optional(),
    seed: z.int().optional(),
    t0: z.number().optional(),
    strength: z.number().optional(),
  }),
});
type SampleEntry = z.infer<typeof SampleEntry>;

export interface Sample {
  readonly title: string;
  /** The picture's file name, which the page shows as the chosen file's. */
  readonly fileName: string;
  readonly imageUrl: string;
  readonly maskUrl: string | undefined;
  readonly request: SampleEntry["request"];
}

function urlOf(file: string): string {
  const url = pictureUrls[`../../docs/examples/${file}`];
  if (!url) throw new Error(`docs/examples/${file} is not in the build`);
  return url;
}

export const samples: readonly Sample[] = z
  .object({ examples: z.array(SampleEntry) })
  .parse(manifest)
  .examples.map((entry) => ({
    title: entry.title,
    fileName: entry.image,
    imageUrl: urlOf(entry.image),
    maskUrl: entry.mask === undefined ? undefined : urlOf(entry.mask),
    request: entry.request,
  }));
