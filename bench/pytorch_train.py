# The generated model.py's training step against the same network written by
# hand (bench/hand_inception_fashion.py), in one process, alternating timed
# blocks; run by bench/pytorch.js. Prints one JSON object.
#
#   /usr/bin/python3 bench/pytorch_train.py GENERATED_MODEL_PY
#       [--threads 1] [--batch 32] [--rounds 20] [--steps 10] [--data DIR]
#
# A step is what a PyTorch training loop does: forward (the generated model's
# preprocess() first), cross-entropy on the softmax output, backward, Adam at
# the spec's learning rate. Both models start from the same weights and see the
# same batches (Fashion-MNIST's first images when --data has them, else random).
# Each block's wall time and the process's CPU time (user + system: page faults
# count) are taken; the ratio generated/hand is the median of the rounds' CPU
# time ratios (wallRatio: of their wall times), images/s are from the medians.
import argparse
import gzip
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hand_inception_fashion import (
    InceptionFashion,
    load_generated,
    load_module,
    parameter_count,
)  # noqa: E402


def batches(data_dir, batch, count):
    """`count` batches of [batch, 1, 28, 28] pixels in [0, 1] and their labels."""
    images = os.path.join(data_dir or "", "train-images-idx3-ubyte.gz")
    labels = os.path.join(data_dir or "", "train-labels-idx1-ubyte.gz")
    n = batch * count
    if data_dir and os.path.exists(images) and os.path.exists(labels):
        with gzip.open(images) as f:
            f.read(16)
            x = (
                torch.frombuffer(bytearray(f.read(n * 784)), dtype=torch.uint8)
                .float()
                .div_(255)
            )
        with gzip.open(labels) as f:
            f.read(8)
            y = torch.frombuffer(bytearray(f.read(n)), dtype=torch.uint8).long()
        source = "fashion-mnist"
    else:
        g = torch.Generator().manual_seed(0)
        x = torch.rand(n * 784, generator=g)
        y = torch.randint(0, 10, (n,), generator=g)
        source = "random"
    x = x.view(count, batch, 1, 28, 28)
    y = y.view(count, batch)
    return [(x[i].contiguous(), y[i].contiguous()) for i in range(count)], source


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_py")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.002)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument(
        "--warmup", type=int, default=1, help="untimed blocks per model first"
    )
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    mod = load_module(args.model_py)
    gen = mod.InceptionFashion()
    hand = InceptionFashion()
    if parameter_count(gen) != parameter_count(hand):
        raise SystemExit(
            f"parameter counts differ: generated {parameter_count(gen)}, hand-written {parameter_count(hand)}"
        )
    load_generated(hand, gen)
    data, source = batches(args.data, args.batch, args.steps)
    preprocess = mod.preprocess

    gen.eval(), hand.eval()
    with torch.no_grad():
        diff = (gen(preprocess(data[0][0])) - hand(data[0][0])).abs().max().item()
    if diff > 1e-5:
        raise SystemExit(f"outputs differ by {diff} with the same weights")

    def trainer(model, prep):
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)

        def block():
            model.train()
            t, c = time.perf_counter(), time.process_time()
            for x, y in data:
                opt.zero_grad(set_to_none=True)
                out = model(prep(x))
                # cross-entropy of the softmax output
                loss = F.nll_loss(torch.log(out), y)
                loss.backward()
                opt.step()
            return time.perf_counter() - t, time.process_time() - c

        return block

    def inferer(model, prep):
        def block():
            model.eval()
            t, c = time.perf_counter(), time.process_time()
            with torch.no_grad():
                for x, _ in data:
                    model(prep(x))
            return time.perf_counter() - t, time.process_time() - c

        return block

    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "data": source,
        "parameters": parameter_count(gen),
        "rounds": args.rounds,
        "stepsPerRound": args.steps,
        "outputMaxAbsDiff": diff,
    }
    identity = lambda x: x  # noqa: E731
    for kind, make in (("train", trainer), ("infer", inferer)):
        g, h = make(gen, preprocess), make(hand, identity)
        for _ in range(args.warmup):
            g(), h()
        gt, ht = [], []  # (wall, CPU) seconds per block
        for r in range(args.rounds):
            if r % 2 == 0:
                a, b = g(), h()
            else:
                b, a = h(), g()
            gt.append(a), ht.append(b)
        images = args.batch * args.steps
        med = lambda v: statistics.median(v)  # noqa: E731
        result[kind] = {
            "generatedImagesPerSecond": images / med([w for w, _ in gt]),
            "handImagesPerSecond": images / med([w for w, _ in ht]),
            # The process's CPU time: on a shared machine, time spent waiting
            # for a core is not the model's.
            "ratio": med([a[1] / b[1] for a, b in zip(gt, ht)]),
            "wallRatio": med([a[0] / b[0] for a, b in zip(gt, ht)]),
            "generatedCpuImagesPerSecond": images / med([c for _, c in gt]),
            "handCpuImagesPerSecond": images / med([c for _, c in ht]),
            "ratios": [round(a[1] / b[1], 4) for a, b in zip(gt, ht)],
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
