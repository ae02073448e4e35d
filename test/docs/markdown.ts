// Just enough Markdown for the documentation tests: fenced code blocks, the links outside them,
// and the anchors GitHub gives headings.

export interface Fence {
  info: string; // the word after the opening fence: `rnn`, `text`, ""
  text: string; // the block's lines, joined, with a final newline
  line: number; // 1-based line of the opening fence
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/;

/** The fenced code blocks of a Markdown text, in order. */
export function fences(markdown: string): Fence[] {
  const lines = markdown.split(/\r?\n/);
  const found: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const marker = open[1];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !isClosing(lines[j], marker)) body.push(lines[j++]);
    found.push({ info: open[2], text: body.length ? body.join("\n") + "\n" : "", line: i + 1 });
    i = j;
  }
  return found;
}

const isClosing = (line: string, marker: string) => new RegExp(`^ {0,3}${marker[0]}{${marker.length},}\\s*$`).test(line);

/** The lines outside fenced blocks (the others blank), line numbers kept. */
function outsideFences(markdown: string): string[] {
  let marker: string | undefined;
  return markdown.split(/\r?\n/).map((line) => {
    if (marker) {
      if (isClosing(line, marker)) marker = undefined;
      return "";
    }
    const open = FENCE.exec(line);
    if (open) marker = open[1];
    return open ? "" : line;
  });
}

/** The same with code spans blanked out too: what may hold links. */
const prose = (markdown: string) => outsideFences(markdown).map((line) => line.replace(/(`+)[\s\S]*?\1/g, (span) => " ".repeat(span.length)));

export interface Link {
  target: string;
  line: number;
}

/** Inline links and images, reference definitions and HTML href/src, outside code. */
export function links(markdown: string): Link[] {
  const found: Link[] = [];
  prose(markdown).forEach((text, i) => {
    const add = (target: string) => found.push({ target, line: i + 1 });
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) add(m[1]);
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(text);
    if (definition) add(definition[1]);
    for (const m of text.matchAll(/\b(?:href|src)\s*=\s*"([^"]*)"/g)) add(m[1]);
  });
  return found;
}

/** The anchors of a Markdown text: GitHub's heading slugs, and explicit `id`/`name` attributes. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const text of outsideFences(markdown)) {
    for (const m of text.matchAll(/<[^>]*\b(?:id|name)\s*=\s*"([^"]+)"/g)) result.add(m[1]);
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const base = slug(heading[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

/**
 * GitHub's slug of a heading (github-slugger): the rendered text lower-cased, punctuation removed
 * (a code span's backticks too), each space a hyphen: `## The \`train\` block` → `the-train-block`.
 */
export function slug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link's text
    .replace(/<[^>]+>/g, "");
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}
