// specs/inception-fashion.net written by hand in tf.layers, the way one would
// without netc: the baseline for the generated model's forward pass.

// Every convolution is conv (no bias) -> batch norm -> ReLU, as the spec's defaults say.
function conv(tf, filters, k, input) {
  const c = tf.layers.conv2d({ filters, kernelSize: k, padding: "same", useBias: false }).apply(input);
  const bn = tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }).apply(c);
  return tf.layers.activation({ activation: "relu" }).apply(bn);
}

function inception(tf, x, [c1, r3, c3, r5, c5, proj]) {
  const b1 = conv(tf, c1, 1, x);
  const b2 = conv(tf, c3, 3, conv(tf, r3, 1, x));
  const b3 = conv(tf, c5, 5, conv(tf, r5, 1, x));
  const b4 = conv(tf, proj, 1, tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: "same" }).apply(x));
  return tf.layers.concatenate({ axis: -1 }).apply([b1, b2, b3, b4]);
}

export function buildHandModel(tf) {
  const image = tf.input({ shape: [28, 28, 1] });
  let x = conv(tf, 32, 3, image);
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }).apply(x);
  x = inception(tf, x, [24, 24, 32, 8, 16, 16]);
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }).apply(x);
  x = inception(tf, x, [48, 32, 64, 8, 24, 24]);
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  x = tf.layers.dropout({ rate: 0.2 }).apply(x);
  x = tf.layers.dense({ units: 10, activation: "softmax" }).apply(x);
  return tf.model({ inputs: image, outputs: x });
}
