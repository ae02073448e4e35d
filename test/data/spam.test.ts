// SpamAssassin (data/spam.ts, data/email.ts, data/logistic.ts): the message text a filter reads,
// the words, the hash split (deterministic, disjoint, no held-out message equal to a training
// one), the files examples/spam.rnn reads, the logistic-regression baseline on tiny inputs, and
// the model's gradients against central differences.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gradcheck, randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { modelFields } from "../../cli/model-data.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { checkSource } from "../../compiler/index.ts";
import { decodeEncodedWords, decodeQuotedPrintable, emailText, htmlToText } from "../../data/email.ts";
import { loadExamples } from "../../data/load-examples.ts";
import { bagOfWords, featureIndex, predictLogistic, trainLogistic, tuneLambda } from "../../data/logistic.ts";
import {
  binaryMetrics, BODY, labelOf, loadSpam, logisticBaseline, MAX_WORDS, messageWords, NON_ASCII, partOf, spamVocabulary, splitMessages, tokenize,
  UNKNOWN, writeSpamData, type Message,
} from "../../data/spam.ts";

describe("the text of an e-mail", () => {
  it("is the unfolded, decoded subject and the body, the headers dropped", () => {
    const raw = "From x@y  Thu Aug 22 2002\nReceived: from a\n\tby b\nSubject: =?iso-8859-1?Q?Caf=E9?=\n  au lait\nX-Spam: no\n\nHello,\nworld\n";
    expect(emailText(raw)).toEqual({ subject: "Café au lait", body: "Hello,\nworld\n" });
    expect(decodeEncodedWords("=?utf-8?B?w6l0w6k=?= =?utf-8?Q?_ok?=")).toBe("été ok");
    expect(decodeQuotedPrintable("caf=E9 =\nnoir =3D 1")).toBe("caf\u00e9 noir = 1");
  });

  it("reads the first text/plain part of a multipart message, else its HTML's visible text", () => {
    const multipart = (parts: string) => `Subject: s\nContent-Type: multipart/alternative; boundary="XX"\n\npreamble\n--XX\n${parts}--XX--\n`;
    const html = 'Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n<html><head><style>p{}</style></head><body><p>Buy =\nnow &amp; save</p></body></html>\n';
    const plain = `Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n${Buffer.from("Ça va\n").toString("base64")}\n`;
    expect(emailText(multipart(`${html}--XX\n${plain}`)).body).toBe("Ça va\n");
    expect(emailText(multipart(html)).body.replace(/\s+/g, " ").trim()).toBe("Buy now & save");
    expect(htmlToText("<!-- x --><script>y</script>a&nbsp;b &#36;5 &lt;")).toBe("  a b $5 <");
    expect(emailText("Subject: only an image\nContent-Type: image/gif\n\nGIF89a").body).toBe("");
  });
});

describe("words", () => {
  it("are lower-cased runs of letters and digits (digits as 0), $ ! ? % alone, a non-ASCII run one word", () => {
    expect(tokenize("Make $2500/Week!! Café 50% off?")).toEqual(["make", "$", "0000", "week", "!", "!", "caf", NON_ASCII, "00", "%", "off", "?"]);
  });

  it("of a message are its subject's, <body>, its body's: at most MAX_WORDS", () => {
    expect(messageWords("Subject: Re: hi\n\nSee you at 5")).toEqual(["re", "hi", BODY, "see", "you", "at", "0"]);
    expect(messageWords(`Subject: x\n\n${"w ".repeat(500)}`)).toHaveLength(MAX_WORDS);
  });

  it("are labelled by the package's group", () => {
    expect(["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"].map(labelOf)).toEqual(["ham", "ham", "ham", "spam", "spam"]);
  });
});

describe("the split", () => {
  const message = (text: string, label: "ham" | "spam" = "ham"): Message => ({ words: text.split(" "), label });

  it("keeps one copy of a duplicate, drops a word list given both labels, and puts each by its hash", () => {
    const split = splitMessages([message("a b"), message("a b"), message("c d", "spam"), message("c d"), message("e f")]);
    expect(split.counts).toEqual({ read: 5, duplicates: 1, conflicting: 2 });
    expect([...split.train, ...split.valid, ...split.test].map((m) => m.words.join(" ")).sort()).toEqual(["a b", "e f"]);
    expect(split[partOf(["a", "b"])]).toContainEqual(message("a b"));
  });

  it("counts a word's training messages, not its occurrences, for the vocabulary", () => {
    expect([...spamVocabulary([message("a a a b"), message("b c"), message("b")], 2)]).toEqual(["b"]);
  });

  const data = loadSpam();
  const key = (m: Message) => m.words.join(" ");

  it("is deterministic, about 70/10/20, and no held-out message is a training message", () => {
    expect([data.train.length, data.valid.length, data.test.length]).toEqual([4042, 575, 1195]);
    expect(data.counts).toEqual({ read: 6046, duplicates: 217, conflicting: 0, sameAsTraining: 17 });
    const train = new Set(data.train.map(key));
    expect(data.valid.some((m) => train.has(key(m)))).toBe(false);
    expect(data.test.some((m) => train.has(key(m)))).toBe(false);
    expect(loadSpam().test).toEqual(data.test);
  });

  it("writes every word outside the training vocabulary as <unk>, at most MAX_WORDS a message", () => {
    expect(data.vocabulary.size).toBe(8816);
    for (const m of [...data.train, ...data.valid, ...data.test]) {
      expect(m.words.length).toBeLessThanOrEqual(MAX_WORDS);
      expect(m.words.every((w) => w === UNKNOWN || data.vocabulary.has(w))).toBe(true);
    }
  });

  it("is written as the fields examples/spam.rnn reads", async () => {
    const directory = mkdtempSync(join(tmpdir(), "rnnc-spam-"));
    const files = writeSpamData(directory, data);
    expect(files.summary).toHaveLength(4);
    const first = JSON.parse(readFileSync(files.test, "utf8").split("\n")[0]!) as object;
    expect(Object.keys(first)).toEqual(["words", "label"]);
    const result = checkSource(readFileSync("examples/spam.rnn", "utf8"), "examples/spam.rnn");
    const fields = modelFields(result.models[0]!);
    const train = await loadExamples(files.train, fields);
    expect(train.errors).toEqual([]);
    expect(train.vocabularies.get("label")!.tokens).toEqual(["ham", "spam"]); // P(spam) is the second class's
    const test = await loadExamples(files.test, fields, train.vocabularies);
    expect(test.errors).toEqual([]);
    expect(test.examples).toHaveLength(1195);
  });
});

describe("the logistic-regression baseline", () => {
  it("without features, fits the bias to the log odds of spam", () => {
    const model = trainLogistic([[], [], [], []].map((r) => Int32Array.from(r)), [1, 0, 0, 0], 0, 0.1);
    expect(model.bias).toBeCloseTo(Math.log(1 / 3), 6);
  });

  it("stops where the gradient of the penalised mean log loss is zero", () => {
    const rows = [[0, 1], [1], [0, 2], [2], [0], [1, 2]].map((r) => Int32Array.from(r));
    const targets = [1, 0, 1, 0, 1, 0], lambda = 0.05;
    const model = trainLogistic(rows, targets, 3, lambda);
    const p = predictLogistic(model, rows);
    for (let j = 0; j < 3; j++) {
      const gradient = rows.reduce((s, row, i) => s + (row.includes(j) ? p[i]! - targets[i]! : 0), 0) / rows.length + lambda * model.weights[j]!;
      expect(Math.abs(gradient)).toBeLessThan(1e-6);
    }
    expect(Math.abs(p.reduce((s, q, i) => s + q - targets[i]!, 0))).toBeLessThan(1e-6); // the bias: unpenalised
    expect(p.map((q) => (q >= 0.5 ? 1 : 0))).toEqual(targets); // feature 0 is the spam word
  });

  it("uses each word once a message, and tunes λ by validation accuracy", () => {
    const messages = [{ words: ["win", "win", "cash"] }, { words: ["hello", "zzz"] }];
    const index = featureIndex([{ words: ["cash", "hello", "win"] }]);
    expect(bagOfWords(messages, index).map((r) => [...r])).toEqual([[0, 2], [1]]);
    const train = { rows: [[0], [0], [1], [1]].map((r) => Int32Array.from(r)), targets: [1, 1, 0, 0] };
    const { model, table } = tuneLambda(train, train, 2, [1e-3, 10]);
    expect(table.map((row) => row.accuracy)).toEqual([1, 1]);
    expect(model.lambda).toBe(1e-3); // same accuracy, lower log loss
  });

  it("on the real split: λ chosen on valid, the test numbers of examples/README.md", () => {
    const baseline = logisticBaseline(loadSpam());
    expect(baseline.lambda).toBe(1e-3);
    expect(baseline.test).toMatchObject({ truePositives: 342, falsePositives: 14, trueNegatives: 826, falseNegatives: 13 });
  });

  it("scores accuracy, precision and recall with spam the positive class", () => {
    expect(binaryMetrics([0.9, 0.2, 0.6, 0.4, 0.5], ["spam", "spam", "ham", "ham", "spam"])).toEqual({
      accuracy: 3 / 5, precision: 2 / 3, recall: 2 / 3, truePositives: 2, falsePositives: 1, trueNegatives: 1, falseNegatives: 1,
    });
    expect(binaryMetrics([0.1], ["ham"])).toMatchObject({ precision: 1, recall: 1, accuracy: 1 });
  });
});

describe("examples/spam.rnn", () => {
  it("has the gradients of central differences at small sizes (the max-pooling recurrence included)", () => {
    const result = checkSource(readFileSync("examples/spam.rnn", "utf8"), "spam.rnn", { overrides: new Map(Object.entries({ E: 2, H: 3 })) });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const program = lower(result.models[0]!, new Map(Object.entries({ "vocab(words)": 5 })));
    const report = gradcheck(program, randomParams(program), randomBatch(program, { t: [4, 2, 3] }));
    expect(report.checked).toBeGreaterThan(20);
    expect(report.maxRelativeError, report.worst).toBeLessThan(1e-6);
  });
});
