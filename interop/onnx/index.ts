// ONNX export: `exportOnnx(program, params)` gives the bytes of an .onnx file computing what
// rnnc's `predict` computes (export.ts says how; recognize.ts which recurrences become ONNX's
// LSTM, GRU and RNN operators). Hand-written protobuf encoding: no dependency.
export {
  exportOnnx,
  exportOnnxWithReport,
  IR_VERSION,
  OPSET,
  OnnxExportUnsupported,
  type OnnxExport,
  type OnnxExportOptions,
  type OnnxTensorInfo,
  type ParamValues,
} from "./export.ts";
export { recognizeCell, nativeCells, type CellKind, type RecognizedCell } from "./recognize.ts";
