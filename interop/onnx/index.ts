// ONNX export: `exportOnnx(program, params)` gives the bytes of an .onnx file computing what
// rnnc's `predict` computes (export.ts says how; interop/recognise which recurrences become
// ONNX's LSTM, GRU and RNN operators). Hand-written protobuf encoding: no dependency.
export { exportOnnx, exportOnnxWithReport, IR_VERSION, OPSET } from "./export.ts";
export type { ExportedRecurrence, OnnxExport, OnnxExportOptions, OnnxTensorInfo } from "./options.ts";
export { OnnxExportUnsupported } from "./values.ts";
export type { ParamValues } from "./weights.ts";
