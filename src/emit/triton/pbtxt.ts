// A Triton model configuration (the fields of inference.ModelConfig in Triton's
// model_config.proto that netc sets) and its protobuf text format. Strings are
// the only text that reaches the file from outside: `pbtxtString` writes them
// as text-format string literals, any byte a quote, backslash, control
// character or non-ASCII escaped, so no name can end its literal or its line.

export type InstanceKind = "KIND_AUTO" | "KIND_CPU" | "KIND_GPU";

export interface TensorConfig {
  name: string;
  /** Without the batch dimension when max_batch_size > 0; -1 for a size the model takes at any value. */
  dims: number[];
}

export interface TritonConfig {
  name: string;
  /** 0: Triton does not batch, and the dims include the batch. */
  maxBatchSize: number;
  input: TensorConfig;
  output: TensorConfig;
  dynamicBatching?: { preferredBatchSize: number[]; maxQueueDelayMicroseconds?: number };
  instanceGroup: { count: number; kind: InstanceKind };
}

/** `s` as a text-format string literal (its UTF-8 bytes, escaped outside printable ASCII). */
export function pbtxtString(s: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(s)) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += "\\\\";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, "0")}`;
  }
  return `${out}"`;
}

const dims = (d: number[]): string => `[ ${d.join(", ")} ]`;

function tensor(t: TensorConfig): string[] {
  return ["  {", `    name: ${pbtxtString(t.name)}`, "    data_type: TYPE_FP32", `    dims: ${dims(t.dims)}`, "  }"];
}

/** config.pbtxt: deterministic, one field a line, in model_config.proto's order. */
export function printConfig(c: TritonConfig, header: string): string {
  const lines = [
    ...header.split("\n").map((l) => `# ${l}`.trimEnd()),
    `name: ${pbtxtString(c.name)}`,
    'backend: "onnxruntime"',
    `max_batch_size: ${c.maxBatchSize}`,
    "input [",
    ...tensor(c.input),
    "]",
    "output [",
    ...tensor(c.output),
    "]",
    "instance_group [",
    "  {",
    `    count: ${c.instanceGroup.count}`,
    `    kind: ${c.instanceGroup.kind}`,
    "  }",
    "]",
  ];
  if (c.dynamicBatching) {
    const d = c.dynamicBatching;
    lines.push("dynamic_batching {");
    if (d.preferredBatchSize.length > 0) lines.push(`  preferred_batch_size: ${dims(d.preferredBatchSize)}`);
    if (d.maxQueueDelayMicroseconds !== undefined) lines.push(`  max_queue_delay_microseconds: ${d.maxQueueDelayMicroseconds}`);
    lines.push("}");
  }
  return `${lines.join("\n")}\n`;
}
