// Truncated BPTT (`bptt K`) trains windows of t one after another, carrying what a window reads
// at t-k from the windows before it. What no carry can give is refused, at the place that
// reads it, with a message that names bptt: never trained wrongly in silence.
import { describe, expect, it } from "vitest";
import { at, errors } from "../helpers.ts";

const model = (body: string, extra = "") => `model m {
  dims { H = 4 }
  input  xs: seq<vec(1)>
  target ys: seq<vec(1)>
  target label: class
  layer cell = gru(1, H)
  layer out = dense(H, 1)
  layer head = dense(H, 2)
${extra}
${body}
  train { bptt 8 }
}
`;
const recurrence = "  h[t] = cell(xs[t], h[t-1])";
const perStep = "  loss mse(out(h[t]), ys[t])";
const usesLabel = "  loss cross_entropy(head(h[t]), label)";

interface Refused {
  name: string;
  source: string;
  at: string;
  message: string;
  hint?: string;
}

const refused: Refused[] = [
  {
    name: "a later step of a state",
    source: model(`${recurrence}\n  loss mse(out(h[t+1]), ys[t])`),
    at: "t+1",
    message: "`h[t+1]` reads a later step of t, but `bptt` trains one window of t at a time and the later steps lie in the next window",
    hint: "under bptt a step reads only earlier steps (t-k), which the windows carry over; or train without bptt",
  },
  {
    name: "a later step of data",
    source: model(`  h[t] = cell(xs[t+2], h[t-1])\n${perStep}`),
    at: "t+2",
    message: "`xs[t+2]` reads a later step of t, but `bptt` trains one window of t at a time and the later steps lie in the next window",
  },
  {
    name: "the last step of t",
    source: model(`${recurrence}\n${perStep}\n  loss cross_entropy(head(h[last]), label)`),
    at: "last]",
    message: "`h[last]` reads the last step of t, but `bptt` cuts t into windows, each with a last step of its own",
  },
  {
    name: "the first step of data",
    source: model(`  h[t] = cell(xs[t] + xs[first], h[t-1])\n${perStep}`),
    at: "first]",
    message: "`xs[first]` reads the first step of t, but `bptt` cuts t into windows, each with a first step of its own",
  },
  {
    name: "a loss that is not along t",
    source: model(`${recurrence}\n${perStep}\n  z = head(h[last])\n  loss cross_entropy(z, label)`),
    at: "loss cross_entropy(z",
    message: "`loss cross_entropy(z, label)` is not one per step of t, but `bptt` trains one window of t at a time: this loss would count once per window",
    hint: "under bptt every loss compares each step of t with its target; or train without bptt",
  },
  {
    name: "an init of a recurrent state",
    source: model(`  init h = proj(xs[first])\n${recurrence}\n${perStep}`).replace("dense(H, 1)\n", "dense(H, 1)\n  layer proj = dense(1, H)\n"),
    at: "init h",
    message: "`bptt` carries h's state from window to window, so `init h` would apply to the first window only",
  },
  {
    name: "a recurrence backward in time",
    source: model(`  h[t] = cell(xs[t], h[t+1])\n${perStep}`),
    at: "bptt",
    message: "`bptt` cuts forward recurrences into windows, but this model has a backward one",
  },
];

describe("bptt refuses what windows cannot compute", () => {
  it.each(refused)("$name", ({ source, at: marker, message, hint }) => {
    const found = errors(source).find((e) => e.message === message);
    expect(found, `no error "${message}" among ${JSON.stringify(errors(source).map((e) => e.message))}`).toBeDefined();
    expect({ line: found!.line, column: found!.column }).toEqual(at(source, marker));
    if (hint) expect(found!.hint).toBe(hint);
  });

  it.each([
    ["a state two steps back", `${recurrence}\n  loss mse(out(h[t] + h[t-2]), ys[t])`],
    ["data three steps back", `  h[t] = cell(xs[t] + xs[t-3], h[t-1])\n${perStep}`],
    ["a map read a step back", `  z[t] = 2 * xs[t]\n  h[t] = cell(z[t-1], h[t-1])\n${perStep}`],
  ])("accepts what windows carry: %s", (_, body) => {
    expect(errors(model(body))).toEqual([]);
  });

  it("without bptt the same reads are fine", () => {
    const source = model(`${recurrence}\n  loss mse(out(h[t+1]), ys[t])\n${usesLabel.replace("h[t]", "h[last]")}`).replace("  train { bptt 8 }\n", "");
    expect(errors(source)).toEqual([]);
  });
});
