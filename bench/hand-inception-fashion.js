// specs/inception-fashion.net written by hand in tf.layers, the way one would
// without netc: the baseline for the generated model's forward pass.

function inception(tf, x, [c1, r3, c3, r5, c5, proj]) {
  const conv = (filters, k, input) =>
    tf.layers.conv2d({ filters, kernelSize: k, padding: "same", activation: "relu" }).apply(input);
  const b1 = conv(c1, 1, x);
  const b2 = conv(c3, 3, conv(r3, 1, x));
  const b3 = conv(c5, 5, conv(r5, 1, x));
  const b4 = conv(proj, 1, tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: "same" }).apply(x));
  return tf.layers.concatenate({ axis: -1 }).apply([b1, b2, b3, b4]);
}

export function buildHandModel(tf) {
  const image = tf.input({ shape: [28, 28, 1] });
  let x = tf.layers.conv2d({ filters: 24, kernelSize: 3, padding: "same", activation: "relu" }).apply(image);
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }).apply(x);
  x = inception(tf, x, [16, 16, 24, 8, 16, 16]);
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }).apply(x);
  x = inception(tf, x, [32, 32, 48, 8, 16, 16]);
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  x = tf.layers.dropout({ rate: 0.2 }).apply(x);
  x = tf.layers.dense({ units: 10, activation: "softmax" }).apply(x);
  return tf.model({ inputs: image, outputs: x });
}
