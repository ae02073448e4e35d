// `npm run grammar:gen`: writes grammar/diagrams.html and grammar/cst.d.ts from the parser.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { grammarArtifacts } from "./artifacts.ts";

for (const { file, text } of grammarArtifacts()) {
  const path = fileURLToPath(new URL(file, import.meta.url));
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
