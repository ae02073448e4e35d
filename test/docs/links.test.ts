// Every relative link of every Markdown file of the repository leads somewhere in it: the file or
// folder exists (and is not one git ignores, which a clone would not have), and a `#anchor` names
// a heading of the Markdown file it points into. External links (https:, mailto:) are not
// followed.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { anchors, links } from "./markdown.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The folders .gitignore names (`node_modules/`, `/out/`, `/test/6-emit/.generated/`), and .git. */
function ignoredFolders(): (path: string) => boolean {
  const patterns = readFileSync(join(ROOT, ".gitignore"), "utf8")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.endsWith("/") && !line.startsWith("#") && !line.startsWith("!"));
  const anchored = patterns.filter((p) => p.startsWith("/")).map((p) => p.slice(1, -1));
  const anywhere = patterns.filter((p) => !p.startsWith("/")).map((p) => p.slice(0, -1));
  return (path) => {
    const parts = path.split("/");
    return parts.includes(".git") || parts.some((part) => anywhere.includes(part)) || anchored.some((a) => path === a || path.startsWith(`${a}/`));
  };
}
const ignored = ignoredFolders();

function markdownFiles(folder = ""): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return ignored(path) ? [] : markdownFiles(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

const anchorCache = new Map<string, Set<string>>();
const anchorsOf = (path: string) => {
  if (!anchorCache.has(path)) anchorCache.set(path, anchors(readFileSync(join(ROOT, path), "utf8")));
  return anchorCache.get(path)!;
};

/** What is wrong with a link of `file` (a path from the root), or undefined. */
function problemWith(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) return undefined; // external
  const hash = target.indexOf("#");
  const path = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  if (path === "" && anchor === undefined) return "an empty link";
  const resolved = path === "" ? join(ROOT, file) : path.startsWith("/") ? join(ROOT, path) : resolve(ROOT, dirname(file), path);
  const inRepo = relative(ROOT, resolved).split("\\").join("/");
  if (inRepo.startsWith("..") || isAbsolute(inRepo)) return "leads outside the repository";
  if (!existsSync(resolved)) return "no such file or folder";
  if (inRepo !== "" && ignored(inRepo)) return "a path git ignores: a clone does not have it";
  if (anchor === undefined || !inRepo.endsWith(".md") || !statSync(resolved).isFile()) return undefined;
  return anchorsOf(inRepo).has(anchor) ? undefined : `no heading or anchor #${anchor} in ${inRepo}`;
}

const files = markdownFiles();

describe("links in Markdown files", () => {
  it("finds the repository's Markdown files, docs/ included", () => {
    expect(files).toContain("README.md");
    expect(files).toContain("docs/language.md");
    expect(files.some((f) => f.startsWith("node_modules/") || f.startsWith("test/6-emit/.generated/"))).toBe(false);
  });

  for (const file of files) {
    it(file, () => {
      const text = readFileSync(join(ROOT, file), "utf8");
      const broken = links(text).flatMap(({ target, line }) => {
        const problem = problemWith(file, target);
        return problem ? [`${file}:${line}: (${target}) ${problem}`] : [];
      });
      expect(broken).toEqual([]);
    });
  }
});

describe("the link checker itself", () => {
  it("reports missing files and anchors and links that leave the repository, and reads no code", () => {
    const sample = [
      "# Title",
      "[ok](README.md) [ok](#title) [ok](docs/language.md#the-train-block) [web](https://example.org/x)",
      "[gone](no-such.md) [bad anchor](#nope) [outside](../shared/LANGUAGE.md) [ignored](node_modules/vitest)",
      "`[in code](nowhere.md)`",
      "```",
      "[in a block](nowhere.md)",
      "```",
      "[ref]: docs/nowhere.md",
    ].join("\n");
    const problems = links(sample).map(({ target, line }) => [line, target, problemWith("README.md", target) ?? "ok"]);
    expect(problems).toEqual([
      [2, "README.md", "ok"],
      [2, "#title", "no heading or anchor #title in README.md"], // the sample is not README.md's text
      [2, "docs/language.md#the-train-block", "ok"],
      [2, "https://example.org/x", "ok"],
      [3, "no-such.md", "no such file or folder"],
      [3, "#nope", "no heading or anchor #nope in README.md"],
      [3, "../shared/LANGUAGE.md", "leads outside the repository"],
      [3, "node_modules/vitest", "a path git ignores: a clone does not have it"],
      [8, "docs/nowhere.md", "no such file or folder"],
    ]);
    expect([...anchors(sample)]).toEqual(["title"]);
  });

  it("slugs headings as GitHub does", () => {
    const headings = "## The `train` block\n## Cells, layers and the prelude\n## Cells, layers and the prelude\n### `t-k`, `t+k`: other steps";
    expect([...anchors(headings)]).toEqual(["the-train-block", "cells-layers-and-the-prelude", "cells-layers-and-the-prelude-1", "t-k-tk-other-steps"]);
  });
});
