// The one catalogue of diagnostics. Codes are stable and never reused: retire a
// code by leaving its entry with `retired: true` and a comment why (diag() then
// refuses it at compile time). Ranges:
//   NET1xxx syntax          NET2xxx names and resolution
//   NET3xxx shapes          NET4xxx values, attributes and annotations
//   NET5xxx warnings        NET9xxx internal
//   NET6xxx backends: what a compile target cannot express, at the IR node's spec location
// Messages are templates; {name} placeholders (a lowercase letter, then word
// characters) are filled by `diag()`, whose argument type is derived from the
// template, so a missing or misspelled placeholder does not compile. Braces
// around anything else ("{ input ... }", "\\u{HEX}") are plain text.

import type { Span } from "../util/span.js";
import type { Diagnostic, Fix, Related, Severity } from "./diagnostic.js";

export interface CatalogueEntry {
  severity: Severity;
  message: string;
  retired?: boolean;
}

export const catalogue = {
  // ---- syntax ----
  NET1001: { severity: "error", message: "Expected {expected} but found {found}." },
  NET1002: { severity: "error", message: "Unterminated string: add the closing '\"'." },
  NET1003: { severity: "error", message: "Unexpected character '{char}'." },
  NET1004: { severity: "error", message: "Number '{text}' is not a valid literal: {reason}." },
  NET1005: { severity: "error", message: "Nesting is deeper than {limit} levels; flatten the spec or split it into blocks." },
  NET1006: { severity: "error", message: "Unexpected {found} at the top level: expected 'import', 'block' or 'network'." },
  NET1007: { severity: "error", message: "The file is larger than {limit} bytes." },
  NET1009: { severity: "error", message: "Comparisons do not chain: '{text}' would compare a truth value; write it with 'and', e.g. 'a < b and b < c'." },
  NET1008: { severity: "error", message: "Unknown escape '{escape}' in a string: use \\\", \\\\, \\n, \\t or \\u{HEX}." },
  NET1010: { severity: "error", message: "Expected at most {limit} operators in one statement but found more; split the expression up (a block parameter can hold a part)." },
  NET1015: { severity: "error", message: "This file is not a netc spec: {reason}." },
  NET1016: { severity: "error", message: "This file is not a netc spec: it starts with {found}, where a spec starts with 'import', 'block' or 'network' (nothing else in it was checked)." },
  NET1017: { severity: "error", message: "Too many syntax errors: {count} more in this file are not shown." },
  NET1020: { severity: "warning", message: "'//' starts a comment here, so '{rest}' is not part of the expression before it: .net has no '//' operator. For Python's floor division write {suggestion}; to keep the comment, start it with words (or put it on its own line)." },

  // ---- names ----
  NET2001: { severity: "error", message: "Unknown op '{name}'.{hint}" },
  NET2002: { severity: "error", message: "Unknown block '{name}'.{hint}" },
  NET2003: { severity: "error", message: "Unknown name '{name}': no parameter or constant of that name is in scope.{hint}" },
  NET2004: { severity: "error", message: "Duplicate {what} '{name}': it is already declared in this {scope}." },
  NET2005: { severity: "error", message: "Block '{name}' uses itself: {cycle}." },
  NET2006: { severity: "error", message: "Import cycle: {cycle}." },
  NET2007: { severity: "error", message: "Cannot read import '{path}': {reason}." },
  NET2008: { severity: "error", message: "Unknown layer '{name}' after 'from': no statement of that name comes before it.{hint}" },
  NET2009: { severity: "error", message: "Block '{name}' takes {expected} argument(s) but {found} were given." },
  NET2010: { severity: "error", message: "Block '{block}' has no parameter '{name}'.{hint}" },
  NET2011: { severity: "error", message: "Parameter '{name}' of block '{block}' has no value: pass it or give it a default." },
  NET2012: { severity: "error", message: "No network is declared in this file: add 'network Name { input CxHxW ... }'." },
  NET2013: { severity: "error", message: "Unknown attribute '{name}' for {op}.{hint}" },
  NET2014: { severity: "error", message: "Unknown function '{name}'.{hint}" },
  NET2015: { severity: "error", message: "Parameter '{name}' is given twice." },
  NET2016: { severity: "error", message: "Cannot read '{path}': {reason}." },
  NET2017: { severity: "error", message: "Expected a unique layer path but found '{name}' twice: an earlier layer already has it (a name with '/' can spell the generated path of another layer, such as 'x/bn' for 'x = conv 1x1 8 bn'); rename one of them." },
  NET2020: { severity: "error", message: "Import '{path}' is not a netc spec: {reason}." },
  NET2021: { severity: "error", message: "Imports nest deeper than {limit} levels: {chain}. Import what a file needs directly instead of through a longer chain." },
  NET2022: { severity: "error", message: "Import '{path}' is not loaded: {reason}." },
  NET2023: { severity: "error", message: "Expected block calls nested at most {limit} deep but found {found}: {chain}. Call the inner blocks directly instead of through a longer chain." },
  NET2085: { severity: "error", message: "Expected an input preprocessing setting (scale, mean, std, order or transform_input) but found '{name}'.{hint}" },
  NET2086: { severity: "error", message: "Input preprocessing '{name}' is set twice; keep one of the two settings." },
  NET2050: { severity: "warning", message: "'{name}' is both {reading} and the {kind} '{name}' in scope; netc reads it as {chosen}. {advice}" },

  // ---- shapes ----
  NET3001: { severity: "error", message: "{layer} expects {expected} input channels but {found} arrive ({shape}). Change the declared input to {found}, or change the layer before it to produce {expected} channels." },
  NET3002: { severity: "error", message: "{layer} expects {expected} input features but {found} arrive ({shape}). Change the declared input to {found}." },
  NET3003: { severity: "error", message: "concat branches disagree in height x width: {details}.{hint}" },
  NET3004: { severity: "error", message: "{op} inputs do not broadcast: {details}. Branches of add and mul must have the same rank and, in each dimension, equal sizes or 1 (a Cx1x1 branch beside a CxHxW one)." },
  // Retired: every way to a zero-sized output is refused before shapes are computed
  // (sizes and strides below 1 by NET4001, a kernel larger than its padded input by NET3006).
  NET3005: { severity: "error", message: "{layer}: output size reaches zero ({input} -> {output}). Use a smaller kernel or stride, or padding.", retired: true },
  NET3006: { severity: "error", message: "{layer}: kernel {kernel} is larger than the padded input {input}." },
  NET3007: { severity: "error", message: "{layer}: groups={groups} must divide both the input channels ({inC}) and the output channels ({outC})." },
  NET3008: { severity: "error", message: "{layer}: output shape is {found} but the annotation says {expected}." },
  NET3009: { severity: "error", message: "{layer}: input shape is {found} but the annotation says {expected}." },
  NET3010: { severity: "error", message: "{layer} needs a {expected} input but gets {found}.{hint}" },
  NET3011: { severity: "error", message: "{layer}: the tensor would have {count} elements, more than netc can represent exactly." },
  NET3012: { severity: "error", message: "The network has no layers after its input." },
  NET3013: { severity: "error", message: "Missing 'input CxHxW' in network '{name}'." },
  NET3030: { severity: "error", message: "{layer}: groupnorm needs the channels to split into {groups} equal groups, but {channels} channels do not divide by {groups}." },
  NET3035: { severity: "error", message: "{layer}: slice {start}:{end} expects 0 <= start < end <= {inC} (the input's channels), but {problem}." },
  NET3036: { severity: "error", message: "{layer}: shuffle into {groups} groups expects the input channels to be a multiple of {groups}, but there are {inC}." },
  NET3045: { severity: "error", message: "Expected input preprocessing '{name}' to give {expected} (one per channel of the {shape} input) but found {found}." },
  NET3046: { severity: "error", message: "Expected transform_input on a 3-channel RGB image input (torchvision's GoogLeNet and Inception v3) but found {found}." },
  NET3040: { severity: "error", message: "Expected at least one branch in '{merge}' but found none: an empty {merge} has nothing to merge. Add its branches, or remove it." },
  NET3041: { severity: "error", message: "Expected at least one branch of '{merge}' to be kept, but every one is an 'if' whose condition is false ({count} left out), so there is nothing to merge. Give a branch an 'else' (e.g. 'else { identity }'), or put the whole {merge} under one 'if'." },

  // ---- values and annotations ----
  NET2080: { severity: "error", message: "--set {name}: expected a parameter of network '{network}' ({known}), but it has no parameter '{name}'." },
  NET2081: { severity: "error", message: "--input {found}: expected {expected} as the spec's input '{input}' has, but found {rank} dimensions." },
  NET4001: { severity: "error", message: "{what} must be {expected}, but is {found}." },
  NET4002: { severity: "error", message: "{what} expects {expected}, but got {found}." },
  NET4003: { severity: "error", message: "{layer}: parameters are {found} but the annotation says {expected}{tolerance}." },
  NET4004: { severity: "error", message: "{layer}: MACs are {found} but the annotation says {expected}{tolerance}." },
  NET4005: { severity: "error", message: "{op}: {detail}" },
  NET4006: { severity: "error", message: "'{name}' is given more than once for {op}." },
  NET4007: { severity: "error", message: "{what}: the value {value} is too large (at most {limit})." },
  NET4008: { severity: "error", message: "Division by zero in {what}." },
  NET4009: { severity: "error", message: "Unknown train setting '{name}'.{hint}" },
  NET4010: { severity: "error", message: "'weight' marks an auxiliary head, which must read a named layer: add 'from LAYER'." },
  NET4011: { severity: "error", message: "repeat count must be a whole number from 0 to {limit}, but is {found}." },
  NET4012: { severity: "error", message: "Elaboration stopped: more than {limit} (check repeat counts and recursion)." },
  NET4013: { severity: "error", message: "{op}: expected padding of at most half the kernel ({limit} for {kernel}, as PyTorch requires) but found {pads}. Use pad={limit} or less, pad=same, or a larger kernel." },
  NET4014: { severity: "warning", message: "dwconv: the bare value {value} is read as the channel multiplier: the output has {value} times the input channels. Write multiplier={value} to keep it; to keep the channel count, remove it (a depthwise convolution needs no channel count), or use 'conv ... groups=' for another output count." },

  // ---- warnings ----
  NET5001: { severity: "warning", message: "Block '{name}' is never used." },
  NET5002: { severity: "warning", message: "Layer '{name}' is not used by any output." },
  NET5003: { severity: "warning", message: "Parameter '{name}' of block '{block}' is never used." },
  // Retired: a catch-all layer warning that nothing ever raised; a real warning gets its own code and message.
  NET5004: { severity: "warning", message: "{layer}: {detail}", retired: true },
  NET5005: {
    severity: "warning",
    message: "Live checking in the editor stops at {limit} characters, but this document has {size}: no other diagnostics, hovers or hints for it (run `netc check` on the saved file).",
  },
  NET5030: { severity: "error", message: "{layer}: the ONNX graph cannot take any input height and width, expected only size-agnostic layers before the global pooling but found {detail}. Compile without --dynamic-size for a fixed input size." },
  NET5040: { severity: "error", message: "--fixed-size and --dynamic-size contradict each other: expected at most one of them but found both. Give --fixed-size for the spec's input size, or --dynamic-size to require any height and width." },
  NET5050: { severity: "error", message: "Triton model repository: {option} expects {expected}, but found {found}." },
  NET5070: { severity: "warning", message: "'{path}' is already there and netc leaves it as it is, but {reason}." },
  NET5010: { severity: "warning", message: "Expected the formatting 'netc fmt' writes but found line {line} written differently; run 'netc fmt' on this file." },

  // ---- backends ----
  // Retired: the tfjs target runs grouped convolutions (netc's GroupConv2D runtime layer).
  NET6001: { severity: "error", message: "{layer}: the tfjs target expects a convolution with groups=1 or groups equal to its input channels ({inC}), but this one has groups={groups}, which tf.layers cannot express. Compile it with --target onnx, or use groups=1 or groups={inC}.", retired: true },
  NET6002: { severity: "error", message: "{layer}: the tfjs target expects the vectors an add or mul combines to be in one feature order, but '{first}' and '{other}' differ: tf.layers flattens a feature map in height, width, channel order and netc in channel, height, width order. Add the feature maps before flattening, or put a dense layer after each flatten." },

  NET6010: { severity: "error", message: "{layer}: the PyTorch target expects layers torch.nn.functional expresses, but found {detail}." },
  NET6011: { severity: "error", message: "{layer}: the PyTorch target expects path names a submodule can take, but '{name}' is an attribute {owner}. Rename the statement." },

  // ---- internal ----
  NET9001: { severity: "error", message: "Internal error in netc while {stage}: {detail}. Please report this with the spec that caused it." },
} as const satisfies Record<string, CatalogueEntry>;

export type Code = keyof typeof catalogue;
/** The codes `diag()` may emit: a retired code does not compile. */
export type LiveCode = { [K in Code]: (typeof catalogue)[K] extends { retired: true } ? never : K }[Code];

/** The placeholder names in a message template, as a union of string literal types. */
export type Placeholders<S extends string> = S extends `${string}{${infer K}}${infer Rest}`
  ? (IsPlaceholder<K> extends true ? K : never) | Placeholders<Rest>
  : never;
type IsPlaceholder<K extends string> = K extends `${infer F}${string}`
  ? F extends Lowercase<F> ? (F extends Uppercase<F> ? false : K extends `${string} ${string}` ? false : true) : false
  : false;

type Named<C extends Code> = Placeholders<(typeof catalogue)[C]["message"]>;
/** Exactly the arguments the message of `C` names (none at all when it names none). */
export type DiagArgs<C extends Code> = [Named<C>] extends [never] ? Record<string, never> : { [K in Named<C>]: string | number };

type Extra = { related?: Related[]; fixes?: Fix[] };
/** A message without placeholders needs no arguments; one with them needs all of them. */
export type DiagRest<C extends Code> = [Named<C>] extends [never]
  ? [args?: DiagArgs<C>, extra?: Extra]
  : [args: DiagArgs<C>, extra?: Extra];

const PLACEHOLDER = /\{([a-z]\w*)\}/g;

/** A template split once: its text, then placeholder name and the text after it, alternately. */
const compiled = new Map<string, string[]>();

function compile(template: string): string[] {
  const parts: string[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    parts.push(template.slice(last, m.index), m[1]!);
    last = m.index + m[0].length;
  }
  parts.push(template.slice(last));
  return parts;
}

/** Fills {name} placeholders from `args`; one that `args` lacks stays as written. */
export function format(template: string, args: Readonly<Record<string, string | number>>): string {
  let parts = compiled.get(template);
  if (!parts) {
    parts = compile(template);
    // Templates are the catalogue's (a bounded set); any other string is not kept.
    if (compiled.size < 1000) compiled.set(template, parts);
  }
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const k = parts[i]!;
    out += (k in args ? String(args[k]) : `{${k}}`) + parts[i + 1]!;
  }
  return out;
}

/** The lists of a diagnostic without related locations or fixes: shared, so frozen. */
const NO_RELATED: readonly Related[] = Object.freeze([]);
const NO_FIXES: readonly Fix[] = Object.freeze([]);
const NO_ARGS: Readonly<Record<string, string | number>> = Object.freeze({});

export function diag<C extends LiveCode>(code: C, file: string, span: Span, ...rest: DiagRest<C>): Diagnostic;
// Declared with plain optional parameters (the signature above types them): a rest
// parameter and a default `extra` object would be made per diagnostic.
export function diag(code: LiveCode, file: string, span: Span, args?: Readonly<Record<string, string | number>>, extra?: Extra): Diagnostic {
  const entry: CatalogueEntry = catalogue[code];
  return {
    code,
    severity: entry.severity,
    file,
    span,
    message: format(entry.message, args === undefined ? NO_ARGS : args),
    related: extra?.related ?? NO_RELATED,
    fixes: extra?.fixes ?? NO_FIXES,
  };
}
