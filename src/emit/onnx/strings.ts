// The only way text enters an ONNX file. Names come from quoted spec strings
// and paths from the file system, so they may hold lone surrogates (which
// protobufjs would write as invalid UTF-8, refused by onnx's checker and by
// protobuf parsers) or NUL (which ends the name for C APIs reading it). Both
// become U+FFFD, the character Node itself writes for a lone surrogate in a
// file name, so a sanitised data-file location still names the file on disk.

const UNSAFE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` as valid, NUL-free UTF-8 text; idempotent. */
export function onnxString(s: string): string {
  return s.replace(UNSAFE, "\ufffd");
}
