// Runs asc on the AssemblyScript read from stdin and writes the WebAssembly to stdout. A child
// process of plain Node: asc and binaryen are megabytes of JavaScript, which loads in under a
// second in Node but takes twenty times as long through a TypeScript loader (tsx, vitest).
import asc from "assemblyscript/asc";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const options = JSON.parse(process.argv[2]);
const result = await asc.compileString({ "kernels.ts": Buffer.concat(chunks).toString("utf8") }, options);
if (result.error || !result.binary) {
  process.stderr.write(result.stderr.toString() || String(result.error));
  process.exit(1);
}
process.stdout.write(result.binary);
