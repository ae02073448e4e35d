// The grammar's own parts: tokens, the significant-newline pass, and the files generated from
// the parser (regenerated in memory and compared, so a grammar change cannot leave them stale).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lex } from "../../compiler/1-parse/lex.ts";
import { grammarArtifacts } from "../../grammar/artifacts.ts";
import { lexer, significantNewlines } from "../../grammar/tokens.ts";

/** Token names and images, newlines shown as ⏎. */
const tokens = (source: string) =>
  lex(source).tokens.map((t) => (t.tokenType.name === "Newline" ? "⏎" : `${t.tokenType.name}:${t.image}`));

/** The images of the significant tokens, newlines shown as ⏎. */
const images = (source: string) => lex(source).tokens.map((t) => (t.tokenType.name === "Newline" ? "⏎" : t.image));

describe("tokens", () => {
  it("reads numbers in every form", () => {
    expect(tokens("3 0.5 1e-3 .5 2E+4 1.5e3")).toEqual([
      "NumberLiteral:3",
      "NumberLiteral:0.5",
      "NumberLiteral:1e-3",
      "NumberLiteral:.5",
      "NumberLiteral:2E+4",
      "NumberLiteral:1.5e3",
    ]);
  });

  it("reads identifiers with a trailing prime, and keywords only as whole words", () => {
    expect(tokens("h' model models model' layer_1 _x cell mean over")).toEqual([
      "Identifier:h'",
      "Model:model",
      "Identifier:models",
      "Identifier:model'",
      "Identifier:layer_1",
      "Identifier:_x",
      "Cell:cell",
      "Mean:mean",
      "Over:over",
    ]);
  });

  it("skips comments and white space, keeping the newline after a line comment", () => {
    expect(tokens('a // note\n/* block\n comment */ "<eos>"\t;')).toEqual(["Identifier:a", "⏎", 'StringLiteral:"<eos>"', "Semicolon:;"]);
  });

  it("reads every punctuation mark", () => {
    expect(images("{ } ( ) [ ] < > , : = + - * / @")).toEqual("{ } ( ) [ ] < > , : = + - * / @".split(" "));
  });
});

describe("significant newlines", () => {
  it("drops newlines inside brackets and after operators, commas, colons and `{`", () => {
    expect(images("f(a,\n b)\nx = y +\n z\nz = [\n1]\ninput x:\n [I]\nm {\n a\n}")).toEqual(
      "f ( a , b ) ⏎ x = y + z ⏎ z = [ 1 ] ⏎ input x : [ I ] ⏎ m { a ⏎ }".split(" "),
    );
  });

  it("collapses blank lines, drops them at the start, keeps one after `;` only if none", () => {
    expect(images("\n\n a\n\n\n b ;\n c\n;")).toEqual("a ⏎ b ; c ⏎ ;".split(" "));
  });

  it("keeps a newline before a hard keyword even inside an unclosed bracket", () => {
    expect(images("a = f(x\nloss y\nb = (1 +\nz)")).toEqual("a = f ( x ⏎ loss y ⏎ b = ( 1 + z )".split(" "));
  });

  it("closes brackets at their `}`, so a stray `(` does not swallow the lines after its block", () => {
    expect(images("m { a = f( }\nb = 1")).toEqual("m { a = f ( } ⏎ b = 1".split(" "));
  });

  it("matches the README's rule on the raw token stream", () => {
    const raw = lexer.tokenize("a +\nb\n(c\n)\n").tokens;
    expect(significantNewlines(raw).map((t) => t.image.replace("\n", "⏎"))).toEqual(["a", "+", "b", "⏎", "(", "c", ")", "⏎"]);
  });
});

describe("generated grammar files", () => {
  it.each(grammarArtifacts())("grammar/$file is up to date (run `npm run grammar:gen`)", ({ file, text }) => {
    const committed = readFileSync(new URL(`../../grammar/${file}`, import.meta.url), "utf8");
    expect(committed === text, `grammar/${file} is stale: run \`npm run grammar:gen\``).toBe(true);
  });
});
