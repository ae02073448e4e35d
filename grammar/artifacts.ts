// The files generated from the parser and committed next to it: railroad diagrams of the grammar
// and the CST node types the visitor is written against. `npm run grammar:gen` writes them; a
// test regenerates them in memory and fails when the committed copies are stale.
import { createSyntaxDiagramsCode } from "chevrotain";
import { generateCstDts } from "@chevrotain/cst-dts-gen";
import { RnnParser } from "./parser.ts";

export interface Artifact {
  file: string; // relative to grammar/
  text: string;
}

const header = "// Generated from grammar/parser.ts by `npm run grammar:gen`: do not edit.\n";

export function grammarArtifacts(): Artifact[] {
  const parser = new RnnParser();
  return [
    { file: "diagrams.html", text: createSyntaxDiagramsCode(parser.getSerializedGastProductions()) },
    { file: "cst.d.ts", text: header + generateCstDts(parser.getGAstProductions()) },
  ];
}
