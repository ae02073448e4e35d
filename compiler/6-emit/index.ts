// IR → TypeScript. The only phase that writes code as text.
export { emitModule, type EmitOptions } from "./module.ts";
