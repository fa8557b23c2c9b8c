// What some tests need from outside the repository: Debian's python3-onnx and
// python3-torchvision, the Fashion-MNIST dataset, the peer models in ../shared.
// On a user's clone they may be absent: those tests say what to install and
// skip. CI installs everything and sets NETC_REQUIRE_ALL=1, which turns an
// absence into a failure.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

export interface Requirement {
  present: boolean;
  /** One line naming what is missing and how to get it. */
  missing: string;
}

function requirement(present: boolean, missing: string): Requirement {
  if (!present && process.env.NETC_REQUIRE_ALL === "1") throw new Error(`NETC_REQUIRE_ALL is set but ${missing}`);
  return { present, missing };
}

const pythonProbes = new Map<string, Requirement>();
/** Whether /usr/bin/python3 runs `args` (an import, a module's --version) cleanly; asked once per run. */
function python(args: string[], missing: string): Requirement {
  const key = args.join("\0");
  let req = pythonProbes.get(key);
  if (!req) {
    let present = true;
    try {
      execFileSync("/usr/bin/python3", args, { stdio: "ignore" });
    } catch {
      present = false;
    }
    req = requirement(present, missing);
    pythonProbes.set(key, req);
  }
  return req;
}

/** Debian's onnx package for /usr/bin/python3: the reference checker. */
export function needPythonOnnx(): Requirement {
  return python(["-c", "import onnx"], "python3-onnx is missing for /usr/bin/python3 (apt-get install python3-onnx)");
}

/** Debian's PyTorch and torchvision for /usr/bin/python3: the reference for weight layouts and the zoo's figures. */
export function needTorchvision(): Requirement {
  return python(["-c", "import torch, torchvision"], "PyTorch or torchvision is missing for /usr/bin/python3 (apt-get install python3-torch python3-torchvision)");
}

export const FASHION_MNIST = "/usr/share/datasets/fashion-mnist";
export function needFashionMnist(): Requirement {
  return requirement(existsSync(FASHION_MNIST), `${FASHION_MNIST} is missing (apt-get install dataset-fashion-mnist)`);
}

/** The torchvision GoogLeNet export that lies beside the project's own checkouts (not in a user's clone). */
export const PEER_GOOGLENET = join(root, "../shared/peers/torchvision-googlenet.onnx");
export function needPeerGoogLeNet(): Requirement {
  return requirement(existsSync(PEER_GOOGLENET), `${PEER_GOOGLENET} is missing (it exists only beside the project's own checkouts)`);
}

const said = new Set<string>();
/** Prints "skipping WHAT: MISSING" once per reason and returns whether to run. */
export function runs(req: Requirement, what: string): boolean {
  if (!req.present && !said.has(what)) {
    said.add(what);
    console.warn(`skipping ${what}: ${req.missing}`);
  }
  return req.present;
}

/** Debian's PyTorch for /usr/bin/python3: ground truth for op semantics and parameter counts. */
export function needTorch(): Requirement {
  return python(["-c", "import torch"], "PyTorch is missing for /usr/bin/python3 (apt-get install python3-torch)");
}

/** Google's protobuf for /usr/bin/python3 (python3-protobuf, which python3-onnx depends on): its text-format parser checks Triton configs. */
export function needPythonProtobuf(): Requirement {
  return python(["-c", "from google.protobuf import text_format, descriptor_pool"], "protobuf is missing for /usr/bin/python3 (apt-get install python3-protobuf)");
}

/** The first of `names` on PATH, or undefined. */
function onPath(names: string[]): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    for (const n of names) if (dir && existsSync(join(dir, n))) return join(dir, n);
  }
  return undefined;
}

let chromium: (Requirement & { path?: string }) | undefined;
/** Debian's chromium: the real browser the `netc graph --format html` page is tested in. */
export function needChromium(): Requirement & { path?: string } {
  if (!chromium) {
    const path = onPath(["chromium", "chromium-browser", "google-chrome"]);
    chromium = { ...requirement(path !== undefined, "chromium is missing (apt-get install chromium)"), path };
  }
  return chromium;
}

/** Graphviz's dot: reads `netc graph --format dot`. */
export function needGraphviz(): Requirement & { path?: string } {
  const path = onPath(["dot"]);
  return { ...requirement(path !== undefined, "Graphviz's dot is missing (apt-get install graphviz)"), path };
}

/** The black formatter for /usr/bin/python3 (Debian's black, CI installs it): generated Python is black-formatted. */
export function needBlack(): Requirement {
  return python(["-m", "black", "--version"], "black is missing for /usr/bin/python3 (apt-get install black)");
}

/** numpy and Pillow beside PyTorch for /usr/bin/python3: what the PyTorch target's train.py reads data with. */
export function needTorchTraining(): Requirement {
  return python(["-c", "import torch, numpy, PIL"], "PyTorch, numpy or Pillow is missing for /usr/bin/python3 (apt-get install python3-torch python3-numpy python3-pil)");
}
