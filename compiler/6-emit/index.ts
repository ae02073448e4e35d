// IR → TypeScript. The only phase that writes code as text.
export { emitModule, emitModuleWithKernels, type EmitOptions } from "./module.ts";
