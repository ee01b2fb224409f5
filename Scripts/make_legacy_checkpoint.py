#!/usr/bin/env python3
"""Generates the torch checkpoint files used by Tests/CheckpointTests (run once; outputs are committed).

Usage: python Scripts/make_legacy_checkpoint.py [OUT_DIR]   (default: Tests/CheckpointTests/Resources)

Needs torch and safetensors. Writes one small state dict with mixed dtypes, tensors sharing storage
with non-zero storage offsets and non-contiguous strides, an nn.Parameter, an OrderedDict `_metadata`
attribute and a non-tensor `config` entry, in these forms:

  mixed.legacy.pt            torch.save(..., _use_new_zipfile_serialization=False)  (legacy pickle stream)
  mixed.zip.pt               torch.save(...)                                          (zip, STORED, little endian)
  mixed.bigendian.zip.pt     the zip rewritten with byteorder "big" and every storage byte-swapped
  mixed.deflated.zip.pt      the zip rewritten with DEFLATE-compressed members
  mixed.expected.safetensors every tensor made contiguous (the values the Swift reader must produce),
                             plus `as_f32.<name>`: torch's float32 conversion of some of them

Every variant is reloaded with torch.load and compared with the original tensors before finishing.
"""
import collections
import io
import pathlib
import pickle
import sys
import zipfile

import torch
from safetensors.torch import save_file

ELEMENT_SIZE = {
    "FloatStorage": 4, "HalfStorage": 2, "BFloat16Storage": 2, "DoubleStorage": 8, "LongStorage": 8,
    "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1,
}


def make_state_dict():
    g = torch.Generator().manual_seed(20240501)
    base = torch.randn(6, 5, generator=g)
    shared = torch.arange(24, dtype=torch.float32) * 0.25 - 3.0
    half = (torch.randn(3, 4, generator=g) * 10).half()
    # Special binary16 values: inf, -inf, NaN, smallest subnormal, a larger subnormal, -0, max normal.
    half.view(-1)[:7] = torch.tensor([float("inf"), float("-inf"), float("nan"), 2.0 ** -24, 3 * 2.0 ** -20, -0.0, 65504.0]).half()
    sd = collections.OrderedDict()
    sd["w.f32"] = base
    sd["w.f16"] = half
    sd["w.bf16"] = (torch.randn(2, 3, generator=g) * 100).bfloat16()
    sd["w.f64"] = torch.randn(4, generator=g, dtype=torch.float64)
    sd["ids.i64"] = torch.tensor([[1, -2, 3], [2 ** 40, -(2 ** 62), 0]], dtype=torch.int64)
    sd["ids.i32"] = torch.tensor([7, -8, 2 ** 31 - 1], dtype=torch.int32)
    sd["ids.i16"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["ids.i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["ids.u8"] = torch.tensor([0, 255, 17], dtype=torch.uint8)
    sd["flags"] = torch.tensor([True, False, True])
    sd["scalar"] = torch.tensor(2.5, dtype=torch.float64)
    sd["empty"] = torch.zeros(0, 4)
    sd["view.transposed"] = base.t()                 # shares w.f32's storage, strides (1, 5)
    sd["view.offset"] = shared[5:17].view(3, 4)      # storage offset 5
    sd["view.strided"] = shared[1::3]                # storage offset 1, stride 3 (same storage)
    sd["view.column"] = half[:, 1]                   # f16 column of w.f16: offset 1, stride 4
    sd["param"] = torch.nn.Parameter(torch.tensor([0.5, -1.5]))
    sd["config"] = {"hidden_size": 32, "pos_att_type": "c2p|p2c", "dropout": 0.1, "layers": [1, 2]}
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("encoder", {"version": 2})])
    return sd


def storage_element_sizes(pickle_bytes):
    """Maps each storage key of a zip checkpoint's data.pkl to its element size.

    Uses a pickle.Unpickler whose find_class returns inert stand-ins, so nothing from the file runs.
    """
    sizes = {}

    class StorageType:
        def __init__(self, name):
            self.name = name

    class Recorder(pickle.Unpickler):
        def find_class(self, module, name):
            if module == "collections" and name == "OrderedDict":
                return collections.OrderedDict
            if module == "torch" and name.endswith("Storage"):
                return StorageType(name)
            return lambda *args, **kwargs: None

        def persistent_load(self, pid):
            sizes[pid[2]] = ELEMENT_SIZE[pid[1].name]

    Recorder(io.BytesIO(pickle_bytes)).load()
    return sizes


def rewrite_zip(source, target, big_endian=False, deflate=False):
    with zipfile.ZipFile(source) as zin:
        names = zin.namelist()
        pkl = next(n for n in names if n.endswith("/data.pkl"))
        root = pkl[: -len("data.pkl")]
        sizes = storage_element_sizes(zin.read(pkl))
        compression = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
        with zipfile.ZipFile(target, "w", compression=compression) as zout:
            for name in names:
                data = zin.read(name)
                if big_endian and name == root + "byteorder":
                    data = b"big"
                elif big_endian and name.startswith(root + "data/"):
                    size = sizes[name[len(root + "data/"):]]
                    data = b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))
                zout.writestr(name, data)


def check(path, sd):
    """torch.load(path) must give exactly the dict's keys and bit-identical tensors."""
    loaded = torch.load(path, weights_only=True)
    assert list(loaded.keys()) == list(sd.keys()), path
    for name, value in sd.items():
        if isinstance(value, torch.Tensor):
            got = loaded[name]
            assert got.dtype == value.dtype and got.shape == value.shape, (path, name)
            as_bytes = lambda t: t.detach().contiguous().reshape(-1).view(torch.uint8)
            assert torch.equal(as_bytes(got), as_bytes(value)), (path, name)
        else:
            assert loaded[name] == value, (path, name)


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent / "Tests/CheckpointTests/Resources"
    out.mkdir(parents=True, exist_ok=True)
    sd = make_state_dict()
    torch.save(sd, out / "mixed.legacy.pt", _use_new_zipfile_serialization=False)
    torch.save(sd, out / "mixed.zip.pt")
    rewrite_zip(out / "mixed.zip.pt", out / "mixed.bigendian.zip.pt", big_endian=True)
    rewrite_zip(out / "mixed.zip.pt", out / "mixed.deflated.zip.pt", deflate=True)
    expected = {k: v.detach().contiguous().clone() for k, v in sd.items() if isinstance(v, torch.Tensor)}
    # torch's own widening to float32, as an independent reference for the Swift F16/BF16/F64 conversions.
    for name in ["w.f16", "w.bf16", "w.f64", "view.column", "ids.i64", "flags"]:
        expected["as_f32." + name] = sd[name].detach().float().contiguous()
    save_file(expected, str(out / "mixed.expected.safetensors"), metadata={"source": "Scripts/make_legacy_checkpoint.py"})
    for name in ["mixed.legacy.pt", "mixed.zip.pt", "mixed.bigendian.zip.pt", "mixed.deflated.zip.pt"]:
        check(out / name, sd)
    with open(out / "mixed.legacy.pt", "rb") as f:
        assert f.read(1) == b"\x80"
    print("wrote and verified", ", ".join(sorted(p.name for p in out.iterdir())))


if __name__ == "__main__":
    main()
