// The body of the generated train.py (everything after its constants), black-formatted.
// Kept apart from train-code.ts so that the Python reads as Python; the
// constants it uses (TRAIN, CLASSES, AUX_HEADS, LOSS_WEIGHTS, SOFTMAX,
// HAS_PREPROCESS, BGR) are written by train-code.ts.

export const TRAIN_BODY = String.raw`class DatasetError(Exception):
    """A dataset that is missing or not what train.py reads: one line, exit status 2."""


class WeightsError(Exception):
    """An --init file that is not a checkpoint of this network: one line, exit status 2."""


# ---- Data: IDX files (the MNIST layout, gzipped or not) or one folder per class

IDX_MAX_BYTES = 2 * 1024**3
IMAGE_MAX_PIXELS = 50_000_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def find_idx(folder, prefix, kind):
    """Both spellings of the MNIST names, gzipped or not (train-images-idx3-ubyte.gz)."""
    n = 3 if kind == "images" else 1
    for sep in ("-", "."):
        for ext in ("", ".gz"):
            path = os.path.join(folder, f"{prefix}-{kind}{sep}idx{n}-ubyte{ext}")
            if os.path.lexists(path):
                return path
    return None


def read_idx(path, ndims, kind):
    """An unsigned-byte IDX file as a numpy array; its header is checked before the data is read."""
    try:
        with open(path, "rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
        with (gzip.open if gzipped else open)(path, "rb") as f:
            head = f.read(4)
            if len(head) < 4 or head[:2] != b"\0\0":
                raise DatasetError(
                    f"{path}: not an IDX file (expected the magic bytes 00 00 08 0{ndims})"
                )
            if head[2] != 0x08:
                raise DatasetError(
                    f"{path}: IDX data type 0x{head[2]:x} is not supported (expected 0x08, unsigned bytes)"
                )
            if head[3] != ndims:
                raise DatasetError(
                    f"{path}: has {head[3]} dimension(s), expected {ndims} ({kind})"
                )
            header = f.read(4 * ndims)
            if len(header) < 4 * ndims:
                raise DatasetError(f"{path}: truncated header")
            dims = struct.unpack(f">{ndims}I", header)
            shape = "x".join(map(str, dims))
            if dims[0] == 0:
                raise DatasetError(f"{path}: holds no {kind} (dimensions {shape})")
            if 0 in dims:
                raise DatasetError(f"{path}: has an empty dimension ({shape})")
            size = math.prod(dims)
            if size > IDX_MAX_BYTES:
                raise DatasetError(
                    f"{path}: header declares {shape} = {size} bytes, more than the limit of 2 GiB"
                )
            # One byte more than the header declares: a longer file is an error too.
            data = f.read(size + 1)
    except OSError as e:
        raise DatasetError(f"{path}: {e.strerror or e}") from None
    except (EOFError, zlib.error) as e:
        raise DatasetError(f"{path}: corrupt gzip data ({e})") from None
    if len(data) != size:
        found = "more" if len(data) > size else len(data)
        raise DatasetError(
            f"{path}: header says {shape} = {size} bytes of data, the file has {found}"
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def resize(pixels, shape):
    """HWC pixels (0..255) to a CHW float32 tensor of the given shape: channels converted
    as netc's tfjs loader does (gray repeated to RGB, RGB to gray by ITU-R 601 luma,
    alpha dropped), then bilinear with half-pixel centres (align_corners=False)."""
    c, h, w = shape
    x = torch.from_numpy(np.ascontiguousarray(pixels, dtype=np.float32))
    if x.shape[2] == 4:
        x = x[:, :, :3]
    if x.shape[2] == 1 and c == 3:
        x = x.expand(-1, -1, 3)
    elif x.shape[2] == 3 and c == 1:
        x = 0.299 * x[:, :, :1] + 0.587 * x[:, :, 1:2] + 0.114 * x[:, :, 2:3]
    x = x.permute(2, 0, 1).unsqueeze(0)
    if x.shape[2:] != (h, w):
        x = F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)
    return x[0]


def read_idx_split(images_path, labels_path, shape, limit):
    images = read_idx(images_path, 3, "images")
    labels = read_idx(labels_path, 1, "labels")
    if len(images) != len(labels):
        raise DatasetError(
            f"{labels_path}: has {len(labels)} labels but {images_path} has {len(images)} images"
        )
    n = len(images) if limit is None else min(limit, len(images))
    if shape[1:] == images.shape[1:] and shape[0] in (1, 3):
        x = torch.from_numpy(images[:n].astype(np.float32)).unsqueeze(1)
        x = x.expand(-1, shape[0], -1, -1).contiguous()
    else:
        x = torch.stack([resize(images[i][:, :, None], shape) for i in range(n)])
    return x, torch.from_numpy(labels[:n].astype(np.int64))


def listing(folder):
    try:
        return sorted(n for n in os.listdir(folder) if not n.startswith("."))
    except OSError as e:
        raise DatasetError(f"{folder}: {e.strerror}") from None


def class_folders(folder):
    return [n for n in listing(folder) if os.path.isdir(os.path.join(folder, n))]


def read_image(path, shape):
    try:
        with Image.open(path) as img:
            if img.format not in ("PNG", "JPEG"):
                raise DatasetError(f"{path}: not a PNG or JPEG image")
            if img.width * img.height > IMAGE_MAX_PIXELS:
                raise DatasetError(
                    f"{path}: {img.width}x{img.height} pixels is more than the limit of 50 megapixels"
                )
            pixels = np.asarray(img.convert("RGBA"))
    except (OSError, SyntaxError, ValueError) as e:
        raise DatasetError(f"{path}: cannot decode the image ({e})") from None
    return resize(pixels, shape)


def read_image_folder(folder, shape, classes=None, limit=None):
    """DIR/<class>/*.png|jpg|jpeg; classes numbered in sorted name order (or in the order of classes)."""
    found = class_folders(folder)
    names = classes or found
    if len(names) < 2:
        raise DatasetError(
            f"{folder}: expected one subfolder per class (at least two), found {len(names)}"
        )
    for name in found:
        if name not in names:
            raise DatasetError(
                f"{os.path.join(folder, name)}: class folder not in the training split"
            )
    by_class = []
    for name in names:
        sub = os.path.join(folder, name)
        if name not in found:
            raise DatasetError(
                f"{sub}: missing class folder (the training split has it)"
            )
        files = [os.path.join(sub, n) for n in listing(sub)]
        for path in files:
            if not path.lower().endswith(IMAGE_SUFFIXES):
                raise DatasetError(
                    f"{path}: not an image file name (class folders hold .png, .jpg and .jpeg files only)"
                )
            if not os.path.isfile(path):
                raise DatasetError(
                    f"{path}: is not a regular file, expected an image file"
                )
        if not files:
            raise DatasetError(
                f"{sub}: empty class folder (every class needs at least one .png or .jpg image)"
            )
        by_class.append(files)
    # Classes interleaved, so that --limit keeps every class.
    ordered = []
    for i in range(max(len(files) for files in by_class)):
        for label, files in enumerate(by_class):
            if i < len(files):
                ordered.append((files[i], label))
    ordered = ordered[:limit]
    x = torch.stack([read_image(path, shape) for path, _ in ordered])
    return x, torch.tensor([label for _, label in ordered]), names


def load_dataset(folder, limit, validation, seed):
    """Train, validation and (when the dataset has one) test splits: NCHW float32
    after the spec's preprocessing, int64 labels."""
    if not os.path.exists(folder):
        raise DatasetError(f"{folder}: no such directory")
    if not os.path.isdir(folder):
        raise DatasetError(
            f"{folder}: is a file, expected a directory (IDX files or one folder per class)"
        )
    shape = tuple(Model.input_shape)
    if len(shape) != 3 or shape[0] not in (1, 3):
        raise DatasetError(
            f"the network takes input {list(shape)}; image datasets need 1 or 3 channels of height x width"
        )
    test = None
    train_images = find_idx(folder, "train", "images")
    if train_images:
        train_labels = find_idx(folder, "train", "labels")
        if not train_labels:
            raise DatasetError(
                f"{folder}: has {train_images} but no train-labels-idx1-ubyte[.gz]"
            )
        x, y = read_idx_split(train_images, train_labels, shape, limit)
        check_labels(y, train_labels)
        test_images = find_idx(folder, "t10k", "images")
        test_labels = find_idx(folder, "t10k", "labels")
        if bool(test_images) != bool(test_labels):
            raise DatasetError(
                f"{folder}: has {test_images or test_labels} but not its t10k pair"
            )
        if test_images:
            test = read_idx_split(test_images, test_labels, shape, limit)
            check_labels(test[1], test_labels)
    else:
        sub = class_folders(folder)
        train_dir = os.path.join(folder, "train") if "train" in sub else folder
        if train_dir == folder and len(sub) < 2:
            raise DatasetError(
                f"{folder}: expected IDX files (train-images-idx3-ubyte[.gz], "
                "train-labels-idx1-ubyte[.gz]) or one subfolder per class"
            )
        x, y, names = read_image_folder(train_dir, shape, limit=limit)
        if len(names) != CLASSES:
            raise DatasetError(
                f"{train_dir}: has {len(names)} class folders ({', '.join(names)}), "
                f"the network has {CLASSES} classes"
            )
        test_name = "test" if "test" in sub else "val" if "val" in sub else None
        if train_dir != folder and test_name:
            test = read_image_folder(
                os.path.join(folder, test_name), shape, names, limit
            )[:2]
    if len(x) == 0:
        raise DatasetError(f"{folder}: no training images")
    if validation > 0 and len(x) < 2:
        raise DatasetError(
            f"{folder}: has 1 training image; at least 2 are needed (one is held out for validation)"
        )
    # Seeded shuffle; its first (validation) fraction is held out.
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    n_val = 0
    if validation > 0:
        n_val = min(max(math.floor(len(x) * validation + 0.5), 1), len(x) - 1)
    val_idx, train_idx = order[:n_val], order[n_val:]
    splits = {
        "train": (prepare(x[train_idx]), y[train_idx]),
        "validation": (prepare(x[val_idx]), y[val_idx]),
    }
    if test is not None:
        splits["test"] = (prepare(test[0]), test[1])
    return splits


def check_labels(y, source):
    """A label the network cannot output is an error (cross-entropy would fail mid-run)."""
    if len(y) and int(y.max()) >= CLASSES:
        at = int(y.argmax())
        raise DatasetError(
            f"{source}: label {int(y.max())} (item {at}) is out of range: "
            f"the network has {CLASSES} classes, labels 0 to {CLASSES - 1}"
        )


def prepare(x):
    """Raw pixels (0..255) to the network's input values."""
    if BGR and x.shape[1] == 3:
        x = x.flip(1)
    return preprocess(x) if HAS_PREPROCESS else x / 255


# ---- Weights: torch.save'd state_dicts or safetensors, written atomically


def write_atomic(path, write):
    """Writes through a temporary file beside the target, then renames it over it."""
    tmp = os.path.join(
        os.path.dirname(os.path.abspath(path)),
        f".{os.path.basename(path)}.{os.getpid()}.tmp",
    )
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


SAFETENSORS_DTYPES = {
    torch.float32: "F32",
    torch.float64: "F64",
    torch.int64: "I64",
    torch.float16: "F16",
}


def save_weights(state, path):
    """The state_dict as safetensors (a .safetensors path) or with torch.save."""
    state = {k: v.detach().cpu().contiguous() for k, v in state.items()}
    if not path.endswith(".safetensors"):
        write_atomic(path, lambda f: torch.save(state, f))
        return
    header, offset = {}, 0
    for name, t in state.items():
        size = t.numel() * t.element_size()
        header[name] = {
            "dtype": SAFETENSORS_DTYPES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + size],
        }
        offset += size
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)

    def write(f):
        f.write(struct.pack("<Q", len(text)) + text)
        for t in state.values():
            f.write(t.numpy().tobytes())

    write_atomic(path, write)


def read_weights(path, net):
    """An --init checkpoint: torch.save'd state_dict or safetensors, checked against the network."""
    try:
        with open(path, "rb") as f:
            start = f.read(8)
            if len(start) == 8 and start[:2] != b"PK":
                text = f.read(struct.unpack("<Q", start)[0])
                header = json.loads(text)
                header.pop("__metadata__", None)
                base = 8 + len(text)
                state = {}
                for name, info in header.items():
                    lo, hi = info["data_offsets"]
                    f.seek(base + lo)
                    dtype = {v: k for k, v in SAFETENSORS_DTYPES.items()}[info["dtype"]]
                    data = bytearray(f.read(hi - lo))
                    state[name] = torch.frombuffer(data, dtype=dtype).reshape(
                        info["shape"]
                    )
            else:
                state = torch.load(path, map_location="cpu")
    except OSError as e:
        raise WeightsError(f"{path}: {e.strerror or e}") from None
    except Exception as e:
        raise WeightsError(
            f"{path}: not a torch.save state_dict or safetensors file ({e})"
        ) from None
    if not isinstance(state, dict):
        raise WeightsError(f"{path}: holds a {type(state).__name__}, not a state_dict")
    want = net.state_dict()
    missing = [k for k in want if k not in state]
    extra = [k for k in state if k not in want]
    if missing or extra:
        what = (
            f"lacks '{missing[0]}'"
            if missing
            else f"has '{extra[0]}', which the network does not"
        )
        raise WeightsError(
            f"{path}: {what} ({len(missing)} missing, {len(extra)} unexpected)"
        )
    for k, v in want.items():
        if tuple(state[k].shape) != tuple(v.shape):
            raise WeightsError(
                f"{path}: '{k}' has shape {list(state[k].shape)}, the network's is {list(v.shape)}"
            )
    net.load_state_dict(state)


# ---- Distributed training


class AllReduceSum(torch.autograd.Function):
    """Sum over processes; its gradient is the sum of the processes' gradients."""

    @staticmethod
    def forward(ctx, x):
        x = x.clone()
        dist.all_reduce(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        grad = grad.clone()
        dist.all_reduce(grad)
        return grad


class GlobalBatchNorm(nn.modules.batchnorm._BatchNorm):
    """BatchNorm whose training statistics are those of the global batch, on CPU
    processes (gloo), where PyTorch's SyncBatchNorm needs CUDA: the mean and the
    variance are summed over processes, so N processes compute what one would."""

    def _check_input_dim(self, x):
        pass

    def forward(self, x):
        if not self.training:
            return super().forward(x)
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        n = AllReduceSum.apply(x.new_tensor(float(x.numel() // x.shape[1])))
        mean = AllReduceSum.apply(x.sum(dims)) / n
        centred = x - mean.view(shape)
        var = AllReduceSum.apply((centred * centred).sum(dims)) / n
        with torch.no_grad():
            m = self.momentum
            self.running_mean.mul_(1 - m).add_(mean, alpha=m)
            self.running_var.mul_(1 - m).add_(var * n / (n - 1), alpha=m)
            self.num_batches_tracked += 1
        y = centred / torch.sqrt(var.view(shape) + self.eps)
        if self.affine:
            y = y * self.weight.view(shape) + self.bias.view(shape)
        return y


def global_batchnorm(module):
    """The module with every BatchNorm a GlobalBatchNorm (same parameters, same state_dict)."""
    out = module
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        out = GlobalBatchNorm(
            module.num_features,
            module.eps,
            module.momentum,
            module.affine,
            module.track_running_stats,
        )
        out.load_state_dict(module.state_dict())
    for name, child in module.named_children():
        out.add_module(name, global_batchnorm(child))
    return out


class TrainingGraph(nn.Module):
    """What DistributedDataParallel wraps: the main output and the auxiliary heads'."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        if AUX_HEADS:
            return self.net.forward_with_aux(x)
        return self.net(x), []


def without_dropout():
    """--no-dropout: dropout and drop-path pass their input through, in training too."""
    import model

    def identity(x, *args, **kwargs):
        return x

    F.dropout = identity
    if hasattr(model, "drop_path"):
        model.drop_path = identity


def output_loss(out, target, softmax):
    """Cross-entropy of one output: on probabilities for a softmax output (clipped
    to [1e-7, 1 - 1e-7] as tfjs does), on logits otherwise."""
    out = out.float()
    if softmax:
        p = out / out.sum(1, keepdim=True)
        p = p.clamp(1e-7, 1 - 1e-7).gather(1, target[:, None])
        return -torch.log(p).mean()
    return F.cross_entropy(out, target)


def make_optimizer(name, params, lr, momentum):
    """The spec's optimizer, with tfjs's defaults (Adam: betas 0.9, 0.999, eps 1e-7;
    RMSprop: decay 0.9, eps 1e-7; SGD with momentum when momentum > 0)."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, eps=1e-7)
    return torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-7, momentum=momentum)


@torch.no_grad()
def accuracy(net, split, device):
    """Fraction of a split the network classifies correctly (inference mode, batches of 256)."""
    x, y = split
    if len(x) == 0:
        return float("nan")
    net.eval()
    correct = 0
    for s in range(0, len(x), 256):
        out = net(x[s : s + 256].to(device))
        correct += int((out.argmax(1).cpu() == y[s : s + 256]).sum())
    net.train()
    return correct / len(x)


class Progress:
    """A one-line progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, title, total, enabled):
        self.title, self.total = title, total
        self.enabled = enabled and sys.stderr.isatty()
        self.start = self.shown = time.monotonic()

    def update(self, done, loss, acc):
        now = time.monotonic()
        if not self.enabled or (now - self.shown < 0.1 and done < self.total):
            return
        self.shown = now
        filled = 30 * done // self.total
        left = (now - self.start) / done * (self.total - done)
        sys.stderr.write(
            f"\r{self.title} [{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total} batches"
            f" | loss {loss:.4f} | accuracy {acc:.4f} | {left:.0f} s left\x1b[K"
        )
        sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def parse_args():
    p = argparse.ArgumentParser(
        description=f"Trains {Model.__name__} (model.py); defaults come from the spec's train section.",
        epilog="Under torchrun (or with its environment: RANK, WORLD_SIZE, LOCAL_RANK, "
        "MASTER_ADDR, MASTER_PORT) each process trains on its share of every batch "
        "with DistributedDataParallel.",
    )
    p.add_argument(
        "--data",
        required=True,
        metavar="DIR",
        help="IDX files, or one folder of PNG/JPEG images per class",
    )
    p.add_argument(
        "--epochs",
        type=int,
        default=TRAIN["epochs"],
        metavar="N",
        help="epochs (default %(default)s)",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=TRAIN["batch_size"],
        metavar="N",
        help="global batch size, over all processes (default %(default)s)",
    )
    p.add_argument(
        "--limit", type=int, metavar="N", help="use at most N examples (default: all)"
    )
    p.add_argument(
        "--steps",
        type=int,
        metavar="N",
        help="stop after N optimizer steps (default: all epochs)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="seed for weights, shuffling and the validation split (default 0)",
    )
    p.add_argument(
        "--save",
        metavar="FILE",
        help="save the weights after every epoch: FILE.safetensors, else torch.save",
    )
    p.add_argument(
        "--init",
        metavar="FILE",
        help="start from these weights (torch.save'd state_dict or safetensors)",
    )
    p.add_argument(
        "--lr",
        type=float,
        default=TRAIN["lr"],
        metavar="X",
        help="learning rate (default %(default)s)",
    )
    p.add_argument(
        "--optimizer",
        choices=["sgd", "adam", "rmsprop"],
        default=TRAIN["optimizer"],
        help="(default %(default)s)",
    )
    p.add_argument(
        "--no-dropout",
        action="store_true",
        help="dropout and drop-path off (to compare runs on different numbers of processes)",
    )
    p.add_argument(
        "--no-amp",
        action="store_true",
        help="float32 on CUDA too (default: mixed precision on CUDA)",
    )
    p.add_argument(
        "--double",
        action="store_true",
        help="train in float64 (slow: to compare runs on different numbers of processes)",
    )
    p.add_argument(
        "--cpu",
        action="store_true",
        help="train on the CPU even when CUDA is available",
    )
    p.add_argument(
        "--quiet", action="store_true", help="no progress bar or per-epoch lines"
    )
    args = p.parse_args()
    for name in ("epochs", "batch_size", "limit", "steps"):
        value = getattr(args, name)
        if value is not None and value < (0 if name == "epochs" else 1):
            p.error(
                f"--{name.replace('_', '-')} expects a positive integer, got {value}"
            )
    if not args.lr > 0:
        p.error(f"--lr expects a positive number, got {args.lr}")
    return p, args


def main():
    parser, args = parse_args()
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if args.batch_size % world:
        parser.error(
            f"--batch-size {args.batch_size} is not a multiple of the {world} processes"
        )
    cuda = torch.cuda.is_available() and not args.cpu
    device = torch.device(f"cuda:{local_rank}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group("nccl" if cuda else "gloo")
    log = rank == 0 and not args.quiet

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    try:
        data = load_dataset(args.data, args.limit, TRAIN["validation"], args.seed)
        net = Model()
        if args.init:
            read_weights(args.init, net)
    except (DatasetError, WeightsError) as e:
        if rank == 0:
            print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    if args.no_dropout:
        without_dropout()
    if world > 1:
        net = (
            nn.SyncBatchNorm.convert_sync_batchnorm(net)
            if cuda
            else global_batchnorm(net)
        )
    if args.double:
        net.double()
        data = {k: (x.double(), y) for k, (x, y) in data.items()}
    net.to(device)
    model = TrainingGraph(net)
    if world > 1:
        model = nn.parallel.DistributedDataParallel(
            model, device_ids=[local_rank] if cuda else None
        )
    # Dropout masks: each process draws from its own stream.
    torch.manual_seed(args.seed + rank)

    optimizer = make_optimizer(
        args.optimizer, net.parameters(), args.lr, TRAIN["momentum"]
    )
    # Weight decay as tfjs applies it: wd / 2 * |w|^2 of every convolution and dense kernel, added to the loss.
    kernels = [m.weight for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    amp = cuda and not args.no_amp
    scaler = torch.cuda.amp.GradScaler(enabled=amp)
    train_x, train_y = data["train"]
    # The same seeded permutation of the training set on every process; each takes
    # every world-th index, so a global batch holds what one process's batch would.
    sampler = DistributedSampler(
        range(len(train_x)), num_replicas=world, rank=rank, seed=args.seed
    )
    per_process = args.batch_size // world
    steps = 0
    for epoch in range(1, args.epochs + 1):
        lr = args.lr * TRAIN["decay"] ** ((epoch - 1) // TRAIN["every"])
        for group in optimizer.param_groups:
            group["lr"] = lr
        sampler.set_epoch(epoch)
        order = torch.tensor(list(sampler))
        batches = math.ceil(len(order) / per_process)
        progress = Progress(f"epoch {epoch}/{args.epochs}", batches, log)
        start = time.monotonic()
        totals = torch.zeros(3, dtype=torch.float64)  # loss * images, correct, images
        for b in range(batches):
            idx = order[b * per_process : (b + 1) * per_process]
            x, y = train_x[idx].to(device), train_y[idx].to(device)
            with torch.autocast(
                "cuda", dtype=torch.float16
            ) if amp else contextlib.nullcontext():
                main_out, aux_outs = model(x)
                loss = sum(
                    w * output_loss(o, y, s)
                    for o, w, s in zip([main_out, *aux_outs], LOSS_WEIGHTS, SOFTMAX)
                )
            if TRAIN["weight_decay"] > 0:
                loss = loss + TRAIN["weight_decay"] / 2 * sum(
                    (k.float() ** 2).sum() for k in kernels
                )
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            totals += torch.tensor(
                [
                    loss.item() * len(idx),
                    int((main_out.argmax(1) == y).sum()),
                    len(idx),
                ],
                dtype=torch.float64,
            )
            progress.update(b + 1, totals[0] / totals[2], totals[1] / totals[2])
            steps += 1
            if steps == args.steps:
                break
        progress.close()
        seconds = time.monotonic() - start
        if world > 1:
            dist.all_reduce(totals)
        if rank == 0:
            val = accuracy(net, data["validation"], device)
            if log:
                print(
                    f"epoch {epoch}/{args.epochs}: loss {totals[0] / totals[2]:.4f}, "
                    f"accuracy {totals[1] / totals[2]:.4f}, validation accuracy {val:.4f}, "
                    f"{seconds:.1f} s ({totals[2] / seconds:.0f} images/s)",
                    flush=True,
                )
            if args.save:
                save_weights(net.state_dict(), args.save)
        if steps == args.steps:
            break
    if rank == 0 and "test" in data:
        test = accuracy(net, data["test"], device)
        if log:
            print(f"test accuracy {test:.4f} ({len(data['test'][0])} images)")
    if rank == 0 and args.save and log:
        print(f"saved {args.save}")
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
