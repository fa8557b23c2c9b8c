// Tiny synthetic datasets: learnable (the class is where the bright square is).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

export function syntheticImages(count: number, size: number, classes: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * size * size);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    labels[i] = c;
    const y0 = Math.floor((c * size) / classes);
    for (let y = y0; y < Math.min(size, y0 + 3); y++) for (let x = 0; x < size; x++) images[i * size * size + y * size + x] = 200;
  }
  return { images, labels };
}

/** train-* gzipped, t10k-* plain: both forms are read. */
export function writeIdxFixture(dir: string, o: { count: number; size: number; classes: number }): void {
  mkdirSync(dir, { recursive: true });
  const { images, labels } = syntheticImages(o.count, o.size, o.classes);
  writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(idx([o.count, o.size, o.size], images)));
  writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(idx([o.count], labels)));
  writeFileSync(join(dir, "t10k-images-idx3-ubyte"), idx([o.count, o.size, o.size], images));
  writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), idx([o.count], labels));
}

export { idx as idxFile };
