// The CLI as plain JavaScript: cli/main.ts and everything it imports, bundled by esbuild into a
// cache directory on first use and again whenever one of those files changed. Node then starts
// `rnnc --help` or `rnnc check` in a tenth of a second, where loading the TypeScript through tsx
// took one and a half. This file is JavaScript because it runs before any TypeScript can.
//
// The cache: node_modules/.cache/rnnc/ in the package (RNNC_CACHE_DIR moves it; it must stay inside
// the package, since the bundle imports the packages it uses from node_modules, found from where
// it lies). manifest.json names the current build, a directory named by a hash of its files, and
// every source file it was built from with its size and modification time: any difference, and
// the next run builds again. Builds are written aside and renamed into place, so that processes
// starting together (a test run) may each build without reading half a build.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, extname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const ENTRY = "cli/main.ts";
/** Files that shape the bundle without being in it: how it is built. */
const BUILDERS = ["cli/bundle.js"];
/** A build directory no manifest has named for this long is removed by the next build. */
const STALE_MS = 10 * 60 * 1000;

export const cacheDir = () => resolve(process.env.RNNC_CACHE_DIR ?? join(root, "node_modules", ".cache", "rnnc"));

/** The URL of the bundle's entry (it exports main), built now if the cache has none from the sources as they are. */
export async function bundleUrl() {
  return cachedBundle() ?? (await buildBundle());
}

/** The cached bundle's entry, if every file it was built from is as it was then. */
export function cachedBundle() {
  const dir = cacheDir();
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  } catch {
    return undefined;
  }
  for (const [file, [mtime, size]] of Object.entries(manifest.inputs)) {
    const now = stamp(join(root, file));
    if (!now || now[0] !== mtime || now[1] !== size) return undefined;
  }
  return pathToFileURL(join(dir, manifest.build, "main.js")).href;
}

export async function buildBundle() {
  const { build } = await import("esbuild");
  const started = Date.now();
  const result = await build({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    outdir: "out", // nothing is written there (write: false): the files go to the cache below
    write: false,
    bundle: true,
    // Each command's module is imported when it runs (main.ts): as chunks of their own they are
    // also only read then, and so are the packages they import.
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Packages stay in node_modules, imported from there, except chevrotain (the parser, which
    // every command but help runs): as the 600 small modules of lodash-es it costs 0.3 s to load.
    sourcemap: "linked", // for node --enable-source-maps
    metafile: true,
    logLevel: "silent",
    plugins: [packagesExternal(/^(chevrotain|@chevrotain\/.*|lodash-es)(\/|$)/), ownImportMetaUrl],
  });
  const files = result.outputFiles.map((f) => ({ name: relative(join(root, "out"), f.path), contents: f.contents })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const hash = createHash("sha256");
  for (const f of files) hash.update(f.name).update("\0").update(f.contents);
  const name = hash.digest("hex").slice(0, 16);

  const dir = cacheDir();
  const aside = join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  for (const f of files) {
    mkdirSync(dirname(join(aside, f.name)), { recursive: true });
    writeFileSync(join(aside, f.name), f.contents);
  }
  try {
    renameSync(aside, join(dir, name));
  } catch {
    rmSync(aside, { recursive: true, force: true }); // another process built the same files first
  }

  // A file changed while the build read it is recorded as unknown: the next run builds again. A
  // bundled package is represented by its package.json, which an install rewrites.
  const inputs = {};
  const sources = new Set([...Object.keys(result.metafile.inputs).map((file) => file.replace(/^(.*node_modules\/(@[^/]+\/)?[^/]+\/).*$/, "$1package.json")), ...BUILDERS]);
  for (const file of sources) {
    const now = stamp(join(root, file));
    inputs[file] = now && now[0] < started ? now : [-1, -1];
  }
  const manifest = join(dir, `.manifest-${process.pid}.json`);
  writeFileSync(manifest, JSON.stringify({ build: name, builtAt: new Date().toISOString(), inputs }, null, 1));
  renameSync(manifest, join(dir, "manifest.json"));
  removeStale(dir, name);
  return pathToFileURL(join(dir, name, "main.js")).href;
}

/** Every package import left to Node at run time, except those of packages that `bundled` matches. */
const packagesExternal = (bundled) => ({
  name: "packages-external",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (bundled.test(args.path) ? undefined : { path: args.path, external: true }));
  },
});

/**
 * Each bundled module keeps its own import.meta.url, the URL of its source file: the compiler
 * reads files beside its modules (prelude.rnn, gemm.as), the compiled model imports the runtime
 * by path, the parallel trainer starts workers from worker.ts. In a bundle they would all see the
 * bundle's URL instead.
 */
const ownImportMetaUrl = {
  name: "own-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const loader = extname(args.path).includes("t") ? "ts" : "js";
      return { contents: source.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)), loader };
    });
  },
};

/** [modification time in ms, size], or undefined if the file is gone. */
function stamp(path) {
  try {
    const s = statSync(path);
    return [s.mtimeMs, s.size];
  } catch {
    return undefined;
  }
}

/** Old builds, and what crashed builds left aside; not a recent one, which a process started just before may be reading. */
function removeStale(dir, current) {
  for (const entry of readdirSync(dir)) {
    if (entry === current || entry === "manifest.json") continue;
    const path = join(dir, entry);
    const s = statSync(path, { throwIfNoEntry: false });
    if (s && Date.now() - s.mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
  }
}
