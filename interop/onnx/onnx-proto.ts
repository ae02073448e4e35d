// The ONNX messages the exporter writes, and their encoding. Field numbers are those of
// onnx/onnx.proto (github.com/onnx/onnx, onnx/onnx.proto; unchanged since IR version 3 for every
// field used here):
//
//   ModelProto        ir_version 1, producer_name 2, producer_version 3, domain 4,
//                     model_version 5, doc_string 6, graph 7, opset_import 8, metadata_props 14
//   OperatorSetIdProto domain 1, version 2
//   StringStringEntryProto key 1, value 2
//   GraphProto        node 1, name 2, initializer 5, doc_string 10, input 11, output 12, value_info 13
//   NodeProto         input 1, output 2, name 3, op_type 4, attribute 5, doc_string 6, domain 7
//   AttributeProto    name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8, strings 9, type 20
//                     AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, GRAPH 5, FLOATS 6, INTS 7, STRINGS 8
//   TensorProto       dims 1, data_type 2, name 8, raw_data 9 (little-endian, fixed width), doc_string 12
//                     DataType: FLOAT 1, INT32 6, INT64 7, BOOL 9, DOUBLE 11
//   ValueInfoProto    name 1, type 2, doc_string 3
//   TypeProto         tensor_type 1;  TypeProto.Tensor: elem_type 1, shape 2
//   TensorShapeProto  dim 1;  Dimension: dim_value 1, dim_param 2
import { ProtoWriter } from "./protobuf.ts";

export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface TensorProto {
  name: string;
  dataType: DataType;
  dims: readonly number[];
  raw: Uint8Array; // little-endian values, row-major
  docString?: string;
}

/** A dimension: a number, or a symbolic name such as "B" or "T". */
export type Dim = number | string;

export interface ValueInfoProto {
  name: string;
  elemType: DataType;
  shape?: readonly Dim[]; // absent: rank unknown
  docString?: string;
}

export type Attribute =
  | { name: string; kind: "int"; value: number }
  | { name: string; kind: "float"; value: number }
  | { name: string; kind: "string"; value: string }
  | { name: string; kind: "ints"; value: readonly number[] }
  | { name: string; kind: "floats"; value: readonly number[] }
  | { name: string; kind: "strings"; value: readonly string[] }
  | { name: string; kind: "tensor"; value: TensorProto }
  | { name: string; kind: "graph"; value: GraphProto };

export interface NodeProto {
  opType: string;
  inputs: readonly string[]; // "" for an optional input left out
  outputs: readonly string[];
  name?: string;
  attributes: readonly Attribute[];
  domain?: string;
  docString?: string;
}

export interface GraphProto {
  name: string;
  nodes: readonly NodeProto[];
  initializers: readonly TensorProto[];
  inputs: readonly ValueInfoProto[];
  outputs: readonly ValueInfoProto[];
  docString?: string;
}

export interface ModelProto {
  irVersion: number;
  opsetImports: readonly { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  modelVersion?: number;
  docString?: string;
  graph: GraphProto;
  metadata?: Readonly<Record<string, string>>;
}

function writeTensor(w: ProtoWriter, t: TensorProto) {
  w.packedInts(1, t.dims);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytesField(9, t.raw);
  if (t.docString) w.string(12, t.docString);
}

function writeValueInfo(w: ProtoWriter, v: ValueInfoProto) {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.elemType);
      if (v.shape)
        tensor.message(2, (shape) => {
          for (const d of v.shape!) shape.message(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.string(2, d)));
        });
    }),
  );
  if (v.docString) w.string(3, v.docString);
}

function writeAttribute(w: ProtoWriter, a: Attribute) {
  w.string(1, a.name);
  switch (a.kind) {
    case "float":
      w.float(2, a.value).int(20, AttributeType.FLOAT);
      break;
    case "int":
      w.int(3, a.value).int(20, AttributeType.INT);
      break;
    case "string":
      w.string(4, a.value).int(20, AttributeType.STRING);
      break;
    case "tensor":
      w.message(5, (t) => writeTensor(t, a.value)).int(20, AttributeType.TENSOR);
      break;
    case "graph":
      w.message(6, (g) => writeGraph(g, a.value)).int(20, AttributeType.GRAPH);
      break;
    case "floats":
      w.packedFloats(7, a.value).int(20, AttributeType.FLOATS);
      break;
    case "ints":
      w.packedInts(8, a.value).int(20, AttributeType.INTS);
      break;
    case "strings":
      for (const v of a.value) w.string(9, v);
      w.int(20, AttributeType.STRINGS);
      break;
  }
}

function writeNode(w: ProtoWriter, n: NodeProto) {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes) w.message(5, (m) => writeAttribute(m, a));
  if (n.docString) w.string(6, n.docString);
  if (n.domain) w.string(7, n.domain);
}

function writeGraph(w: ProtoWriter, g: GraphProto) {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  if (g.docString) w.string(10, g.docString);
  for (const v of g.inputs) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.message(12, (m) => writeValueInfo(m, v));
}

/** The bytes of an .onnx file. */
export function encodeModel(model: ModelProto): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, model.irVersion);
  w.string(2, model.producerName);
  w.string(3, model.producerVersion);
  if (model.modelVersion !== undefined) w.int(5, model.modelVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph));
  for (const o of model.opsetImports) w.message(8, (m) => m.string(1, o.domain).int(2, o.version));
  for (const [key, value] of Object.entries(model.metadata ?? {})) w.message(14, (m) => m.string(1, key).string(2, value));
  return w.finish();
}
