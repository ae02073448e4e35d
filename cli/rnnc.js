#!/usr/bin/env node
// The `rnnc` command. It runs the CLI from a JavaScript bundle of its TypeScript sources (built
// and kept fresh by ./bundle.js), so that most commands start without a TypeScript loader. The
// ones that import TypeScript at run time (train, evaluate and sample import the emitted model
// module) ask for tsx's loader through loadTypeScript, which costs them about 0.2 s. Without a
// bundle (esbuild missing, the cache not writable, or RNNC_NO_BUNDLE=1) the sources run under
// tsx, as they did before the bundle.
const argv = process.argv.slice(2);
const registerTsx = async () => (await import("tsx/esm/api")).register();

const cli = process.env.RNNC_NO_BUNDLE ? undefined : await bundled();
if (cli) {
  let registered;
  process.exitCode = await cli.main(argv, { loadTypeScript: () => (registered ??= registerTsx()) });
} else {
  await registerTsx();
  const { main } = await import("./main.ts");
  process.exitCode = await main(argv, { loadTypeScript: async () => {} });
}

/** The bundle's module, or undefined when it cannot be built or loaded; the sources will say why, if they fail too. */
async function bundled() {
  try {
    const { bundleUrl } = await import("./bundle.js");
    return await import(await bundleUrl());
  } catch {
    return undefined;
  }
}
