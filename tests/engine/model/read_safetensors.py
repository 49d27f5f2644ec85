#!/usr/bin/env python3
"""An independent numpy reader for the safetensors files our C++ writer produces.

It follows the format as documented (https://github.com/huggingface/safetensors): an 8-byte
little-endian header length, a JSON header padded with spaces, then tensors packed back to back.
It checks the layout rules Python's `safetensors` enforces, decodes F32/F16/BF16 with numpy, and
compares the values against float32 sources rounded here, independently of our C++ conversions
(numpy's float16 cast; bfloat16 rounding written out below).

Usage: read_safetensors.py --writer PATH_TO_write_sample_safetensors --workdir DIR
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys

import numpy as np

ELEMENT_BYTES = {"F32": 4, "F16": 2, "BF16": 2}


def read_safetensors(path):
    """Returns (metadata, {name: float32 ndarray}, {name: raw uint array}) after checking layout."""
    with open(path, "rb") as f:
        blob = f.read()
    assert len(blob) >= 8, f"{path}: too short"
    (header_len,) = struct.unpack("<Q", blob[:8])
    assert header_len % 8 == 0, f"{path}: header length {header_len} not 8-byte aligned"
    header_text = blob[8 : 8 + header_len].decode("utf-8")
    assert header_text.startswith("{"), f"{path}: header does not start with '{{'"
    stripped = header_text.rstrip(" ")
    assert stripped.endswith("}") and len(header_text) - len(stripped) < 8, f"{path}: bad padding"
    header = json.loads(header_text)
    metadata = header.pop("__metadata__", {})
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()), path
    data = blob[8 + header_len :]

    end = 0
    arrays, raw = {}, {}
    for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
        begin, stop = info["data_offsets"]
        assert begin == end, f"{path}: tensor {name} starts at {begin}, expected {end}"
        dtype = info["dtype"]
        count = int(np.prod(info["shape"], dtype=np.int64))
        assert stop - begin == count * ELEMENT_BYTES[dtype], f"{path}: {name} size mismatch"
        assert begin % ELEMENT_BYTES[dtype] == 0, f"{path}: {name} misaligned"
        chunk = data[begin:stop]
        if dtype == "F32":
            bits = np.frombuffer(chunk, dtype="<u4")
            values = bits.view("<f4")
        elif dtype == "F16":
            bits = np.frombuffer(chunk, dtype="<u2")
            values = bits.view("<f2").astype(np.float32)
        else:
            bits = np.frombuffer(chunk, dtype="<u2")
            values = (bits.astype(np.uint32) << 16).view(np.float32)
        arrays[name] = values.reshape(info["shape"])
        raw[name] = bits.reshape(info["shape"])
        end = stop
    assert end == len(data), f"{path}: {len(data) - end} trailing bytes"
    return metadata, arrays, raw


def bfloat16_bits(values):
    """Round float32 to bfloat16, nearest with ties to even (NaNs excluded by the caller)."""
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def check_sample(workdir):
    with open(os.path.join(workdir, "expected.json")) as f:
        expected = json.load(f)
    metadata, arrays, raw = read_safetensors(os.path.join(workdir, "sample.safetensors"))
    assert metadata == {"format": "pt", "producer": "radixlm"}, metadata
    assert sorted(arrays) == sorted(expected), (sorted(arrays), sorted(expected))
    for name, want in expected.items():
        source = np.array(want["source"], dtype=np.float32).reshape(want["shape"])
        assert list(arrays[name].shape) == want["shape"], name
        if want["dtype"] == "F32":
            assert np.array_equal(raw[name], source.view(np.uint32)), name
        elif want["dtype"] == "F16":
            assert np.array_equal(raw[name], source.astype(np.float16).view(np.uint16)), name
        else:
            assert np.array_equal(raw[name], bfloat16_bits(source)), name
        # Decoded values stay close to the source where the dtype can represent them.
        finite = np.isfinite(arrays[name])
        assert np.allclose(arrays[name][finite], source[finite], rtol=1e-2, atol=1e-7), name
    print(f"sample.safetensors: {len(arrays)} tensors match")


def check_sharded(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(folder, "model.safetensors.index.json")) as f:
        index = json.load(f)
    assert not os.path.exists(os.path.join(folder, "model.safetensors"))
    shards = sorted(set(index["weight_map"].values()))
    assert len(shards) > 1, shards
    total = 0
    seen = {}
    for shard in shards:
        metadata, arrays, _ = read_safetensors(os.path.join(folder, shard))
        assert metadata.get("format") == "pt", metadata
        for name, array in arrays.items():
            assert index["weight_map"][name] == shard, name
            assert array.dtype == np.float32 and np.all(np.isfinite(array)), name
            total += array.size * 2  # written as bf16
            seen[name] = array
    assert total == index["metadata"]["total_size"], (total, index["metadata"])
    assert sorted(seen) == sorted(index["weight_map"])
    hidden, heads, kv_heads = config["hidden_size"], config["num_attention_heads"], config["num_key_value_heads"]
    head_dim = config["head_dim"]
    assert seen["model.embed_tokens.weight"].shape == (config["vocab_size"], hidden)
    for layer in range(config["num_hidden_layers"]):
        prefix = f"model.layers.{layer}."
        assert seen[prefix + "self_attn.q_proj.weight"].shape == (heads * head_dim, hidden)
        assert seen[prefix + "self_attn.k_proj.weight"].shape == (kv_heads * head_dim, hidden)
        assert seen[prefix + "mlp.down_proj.weight"].shape == (hidden, config["intermediate_size"])
        norm = seen[prefix + "input_layernorm.weight"]
        assert abs(float(norm.mean()) - 1.0) < 0.1, float(norm.mean())
    weights = seen["model.layers.0.mlp.up_proj.weight"]
    assert abs(float(weights.std()) - 0.02) < 0.002, float(weights.std())
    print(f"sharded model: {len(shards)} shards, {len(seen)} tensors match config.json")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--writer", required=True)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    subprocess.run([args.writer, args.workdir], check=True)
    check_sample(args.workdir)
    check_sharded(os.path.join(args.workdir, "sharded"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
