// Tests that compile a model also compile its WebAssembly kernels (a second or two, once per
// distinct model: they are cached) on a shared two-core machine: five seconds is too tight.
import { defineConfig } from "vitest/config";

// RNNC_VALIDATE: every IR the tests build is validated between phases (compiler/index.ts).
// test/global-setup.ts: the suite's temporary files go to a directory of its own, removed at the end.
export default defineConfig({ test: { testTimeout: 30_000, env: { RNNC_VALIDATE: "1" }, globalSetup: ["test/global-setup.ts"] } });
