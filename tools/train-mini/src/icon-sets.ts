/** @module icon-sets: the emoji sets the training data comes from, with licences and caption rules. */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** One Iconify icon as stored in an `@iconify-json/*` package (transforms are not used by these sets). */
interface IconifyIcon {
  body: string;
  width?: number;
  height?: number;
  left?: number;
  top?: number;
}

interface IconifyJson {
  prefix: string;
  width?: number;
  height?: number;
  icons: Record<string, IconifyIcon>;
}

/** The package's info.json: set name, author and licence. */
interface IconifyInfo {
  name: string;
  author: { name: string; url?: string };
  license: { title: string; spdx?: string; url?: string };
}

export interface EmojiSet {
  packageName: string;
  /** The words appended to every caption of this set, e.g. "noto style". */
  styleCaption: string;
}

export const emojiSets: readonly EmojiSet[] = [
  { packageName: "@iconify-json/noto", styleCaption: "noto style" },
  { packageName: "@iconify-json/fluent-emoji-flat", styleCaption: "fluent style" },
  { packageName: "@iconify-json/twemoji", styleCaption: "twemoji style" },
];

export interface EmojiIcon {
  name: string;
  caption: string;
  svg: string;
  styleCaption: string;
}

export interface EmojiSetInfo {
  packageName: string;
  title: string;
  author: string;
  authorUrl: string;
  licence: string;
  licenceUrl: string;
  iconCount: number;
}

// Skin-tone and country-flag variants multiply near-identical images and carry no words a caption could use.
const skinToneSuffix = /-(tone[1-5]|light|medium-light|medium|medium-dark|dark)(-|$)|skin-tone/;
const excludedName = /^flag-|^keycap|^[0-9]$|^[0-9a-f]{4,}(-|$)/;

/** Keeps one icon per concept: drops skin-tone variants, national flags, keycaps and codepoint-named icons. */
export function isCaptionable(name: string): boolean {
  return !skinToneSuffix.test(name) && !excludedName.test(name);
}

export function captionFor(name: string, styleCaption: string): string {
  return `${name.replaceAll("-", " ")}, ${styleCaption}`;
}

function svgFor(icon: IconifyIcon, set: IconifyJson): string {
  const width = icon.width ?? set.width ?? 16;
  const height = icon.height ?? set.height ?? 16;
  const viewBox = `${icon.left ?? 0} ${icon.top ?? 0} ${width} ${height}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="${viewBox}">${icon.body}</svg>`;
}

export function loadEmojiSet(set: EmojiSet): { icons: EmojiIcon[]; info: EmojiSetInfo } {
  const json = require(`${set.packageName}/icons.json`) as IconifyJson;
  const icons = Object.entries(json.icons)
    .filter(([name]) => isCaptionable(name))
    .map(([name, icon]) => ({
      name,
      caption: captionFor(name, set.styleCaption),
      svg: svgFor(icon, json),
      styleCaption: set.styleCaption,
    }));
  const about = require(`${set.packageName}/info.json`) as IconifyInfo;
  const info: EmojiSetInfo = {
    packageName: set.packageName,
    title: about.name,
    author: about.author.name,
    authorUrl: about.author.url ?? "",
    licence: about.license.spdx ?? about.license.title,
    licenceUrl: about.license.url ?? "",
    iconCount: icons.length,
  };
  return { icons, info };
}
