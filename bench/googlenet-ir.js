// torchvision's GoogLeNet (aux_logits=False) as a checked IR graph, built by
// hand for the ONNX benchmark and tests until specs/googlenet-torchvision.net
// compiles through the checker: BasicConv2d = conv (no bias) + BN(eps 1e-3) +
// ReLU, 3x3 in the "5x5" branch, ceil-mode max pools, 2x2/2 pool before 5a.

/** @returns {import("../src/ir/graph.js").IrGraph} */
export function googlenetTorchvisionIr() {
  /** @type {import("../src/ir/graph.js").IrNode[]} */
  const nodes = [];
  const add = (name, attrs, inputs, shape, params = 0, macs = 0) => {
    const id = nodes.length;
    nodes.push({ id, name, attrs, inputs, shape, params, macs, aux: undefined, source: { file: "specs/googlenet-torchvision.net", span: { offset: 0, length: 0 } } });
    return id;
  };
  const shape = (id) => nodes[id].shape;
  const poolSize = (n, k, s, p, ceil) => {
    const span = n + 2 * p - k;
    let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (ceil && (out - 1) * s >= n + p) out--;
    return out;
  };

  const basicConv = (name, x, out, k, stride = 1, pad = 0) => {
    const [c, h, w] = shape(x);
    const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
    const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
    const params = out * c * k * k;
    const conv = add(`${name}/conv`, { op: "conv", outChannels: out, kernel: [k, k], stride: [stride, stride], dilation: [1, 1], pads: [pad, pad, pad, pad], groups: 1, bias: false, act: "none" }, [x], [out, oh, ow], params, params * oh * ow);
    return add(`${name}/bn`, { op: "batchnorm", eps: 1e-3, momentum: 0.1, act: "relu" }, [conv], [out, oh, ow], 2 * out);
  };
  const maxpool = (name, x, k, s, pad = 0) => {
    const [c, h, w] = shape(x);
    const p = [pad, pad, pad, pad];
    return add(name, { op: "maxpool", kernel: [k, k], stride: [s, s], pads: p, ceil: true, countIncludePad: true }, [x], [c, poolSize(h, k, s, pad, true), poolSize(w, k, s, pad, true)]);
  };
  const inception = (name, x, c1, c3r, c3, c5r, c5, pp) => {
    const b1 = basicConv(`${name}/b1`, x, c1, 1);
    const b2 = basicConv(`${name}/b2/conv2`, basicConv(`${name}/b2/conv1`, x, c3r, 1), c3, 3, 1, 1);
    const b3 = basicConv(`${name}/b3/conv2`, basicConv(`${name}/b3/conv1`, x, c5r, 1), c5, 3, 1, 1);
    const b4 = basicConv(`${name}/b4/conv`, maxpool(`${name}/b4/pool`, x, 3, 1, 1), pp, 1);
    const [, h, w] = shape(b1);
    return add(name, { op: "concat" }, [b1, b2, b3, b4], [c1 + c3 + c5 + pp, h, w]);
  };

  let x = add("image", { op: "input" }, [], [3, 224, 224]);
  x = basicConv("conv1", x, 64, 7, 2, 3);
  x = maxpool("maxpool1", x, 3, 2);
  x = basicConv("conv2", x, 64, 1);
  x = basicConv("conv3", x, 192, 3, 1, 1);
  x = maxpool("maxpool2", x, 3, 2);
  x = inception("inception3a", x, 64, 96, 128, 16, 32, 32);
  x = inception("inception3b", x, 128, 128, 192, 32, 96, 64);
  x = maxpool("maxpool3", x, 3, 2);
  x = inception("inception4a", x, 192, 96, 208, 16, 48, 64);
  x = inception("inception4b", x, 160, 112, 224, 24, 64, 64);
  x = inception("inception4c", x, 128, 128, 256, 24, 64, 64);
  x = inception("inception4d", x, 112, 144, 288, 32, 64, 64);
  x = inception("inception4e", x, 256, 160, 320, 32, 128, 128);
  x = maxpool("maxpool4", x, 2, 2);
  x = inception("inception5a", x, 256, 160, 320, 32, 128, 128);
  x = inception("inception5b", x, 384, 192, 384, 48, 128, 128);
  x = add("avgpool", { op: "adaptiveavgpool", out: [1, 1] }, [x], [shape(x)[0], 1, 1]);
  x = add("flatten", { op: "flatten" }, [x], [shape(x)[0]]);
  x = add("dropout", { op: "dropout", rate: 0.2 }, [x], shape(x));
  x = add("fc", { op: "dense", units: 1000, bias: true, act: "none" }, [x], [1000], 1024 * 1000 + 1000, 1024 * 1000);

  const params = nodes.reduce((a, n) => a + n.params, 0);
  return {
    name: "GoogLeNetTorchvision",
    file: "specs/googlenet-torchvision.net",
    inputName: "image",
    inputShape: [3, 224, 224],
    nodes,
    output: x,
    auxOutputs: [],
    groups: [],
    train: { optimizer: "sgd", learningRate: 0.01, momentum: 0.9, decay: 0.96, decayEvery: 8, batchSize: 32, epochs: 1, weightDecay: 0, validationSplit: 0.1, loss: "crossentropy" },
    params,
    macs: nodes.reduce((a, n) => a + n.macs, 0),
    paramsWithAux: params,
  };
}
