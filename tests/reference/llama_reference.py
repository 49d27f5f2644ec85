#!/usr/bin/env python3
"""Independent PyTorch reference for radixlm's forward pass.

Two subcommands:
  make DIR --arch {llama,mistral,qwen2,qwen3} --dtype {f32,bf16,f16} [--rope llama3|linear|default]
      Writes a small Hugging Face model folder (config.json + model.safetensors) with seeded random
      weights, using only numpy for the file format (no radixlm code).
  logits DIR TOKEN_IDS_JSON
      Prints, as JSON, the logits of every position for the given token ids, computed with torch
      ops straight from the safetensors file and config.json the way transformers' Llama, Mistral,
      Qwen2 and Qwen3 modeling code defines the forward pass.
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch

DTYPES = {"f32": ("F32", np.float32), "f16": ("F16", np.float16), "bf16": ("BF16", None)}


def write_safetensors(path, tensors):
    """tensors: list of (name, safetensors dtype, numpy uint8/float array bytes, shape)."""
    header, offset, blobs = {}, 0, []
    for name, dtype, data, shape in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def to_bytes(array, dtype_name):
    if dtype_name == "bf16":
        bits = np.asarray(array, dtype=np.float32).view(np.uint32)
        # round to nearest even
        rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
        return rounded.tobytes()
    return np.asarray(array, dtype=DTYPES[dtype_name][1]).tobytes()


def make(args):
    rng = np.random.default_rng(args.seed)
    hidden, layers, heads, kv_heads, head_dim, inter, vocab = 64, 2, 4, 2, 16, 96, 256
    if args.arch == "qwen3":
        head_dim = 32  # explicit head_dim different from hidden / heads
    config = {
        "architectures": [{"llama": "LlamaForCausalLM", "mistral": "MistralForCausalLM",
                           "qwen2": "Qwen2ForCausalLM", "qwen3": "Qwen3ForCausalLM"}[args.arch]],
        "model_type": args.arch, "hidden_size": hidden, "intermediate_size": inter,
        "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kv_heads,
        "head_dim": head_dim, "vocab_size": vocab, "max_position_embeddings": 2048,
        "rms_norm_eps": 1e-5, "hidden_act": "silu", "tie_word_embeddings": args.arch == "qwen3",
        "rope_theta": 10000.0, "bos_token_id": 1, "eos_token_id": 2,
        "torch_dtype": {"f32": "float32", "f16": "float16", "bf16": "bfloat16"}[args.dtype],
    }
    if args.rope == "llama3":
        # Scaling that matters at short lengths: original context 64 tokens.
        config["rope_scaling"] = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                  "high_freq_factor": 4.0, "original_max_position_embeddings": 64}
    elif args.rope == "linear":
        config["rope_scaling"] = {"type": "linear", "factor": 2.0}
    if args.arch in ("mistral", "qwen2"):
        config["sliding_window"] = None
    tensors = []

    def add(name, *shape, scale=0.08, offset=0.0):
        values = offset + rng.standard_normal(shape).astype(np.float32) * scale
        tensors.append((name, DTYPES[args.dtype][0], to_bytes(values, args.dtype), shape))

    add("model.embed_tokens.weight", vocab, hidden, scale=0.5)
    for i in range(layers):
        p = f"model.layers.{i}."
        add(p + "input_layernorm.weight", hidden, scale=0.1, offset=1.0)
        add(p + "self_attn.q_proj.weight", heads * head_dim, hidden)
        add(p + "self_attn.k_proj.weight", kv_heads * head_dim, hidden)
        add(p + "self_attn.v_proj.weight", kv_heads * head_dim, hidden)
        add(p + "self_attn.o_proj.weight", hidden, heads * head_dim)
        if args.arch == "qwen2":
            add(p + "self_attn.q_proj.bias", heads * head_dim, scale=0.2)
            add(p + "self_attn.k_proj.bias", kv_heads * head_dim, scale=0.2)
            add(p + "self_attn.v_proj.bias", kv_heads * head_dim, scale=0.2)
        if args.arch == "qwen3":
            add(p + "self_attn.q_norm.weight", head_dim, scale=0.1, offset=1.0)
            add(p + "self_attn.k_norm.weight", head_dim, scale=0.1, offset=1.0)
        add(p + "post_attention_layernorm.weight", hidden, scale=0.1, offset=1.0)
        add(p + "mlp.gate_proj.weight", inter, hidden)
        add(p + "mlp.up_proj.weight", inter, hidden)
        add(p + "mlp.down_proj.weight", hidden, inter)
    add("model.norm.weight", hidden, scale=0.1, offset=1.0)
    if not config["tie_word_embeddings"]:
        add("lm_head.weight", vocab, hidden)
    os.makedirs(args.dir, exist_ok=True)
    with open(os.path.join(args.dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    write_safetensors(os.path.join(args.dir, "model.safetensors"), tensors)


def read_safetensors(path):
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = np.frombuffer(data[begin:end], dtype=np.uint8)
        if info["dtype"] == "F32":
            values = raw.view(np.float32).astype(np.float64)
        elif info["dtype"] == "F16":
            values = raw.view(np.float16).astype(np.float64)
        elif info["dtype"] == "BF16":
            values = (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        else:
            raise ValueError(f"unsupported dtype {info['dtype']}")
        out[name] = torch.from_numpy(values.reshape(info["shape"]).copy())
    return out


def inverse_frequencies(config, head_dim):
    scaling = config.get("rope_scaling") or {}
    theta = config.get("rope_theta", 10000.0)
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    kind = scaling.get("rope_type", scaling.get("type", "default"))
    if kind == "linear":
        inv = inv / scaling["factor"]
    elif kind == "llama3":
        factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        inv = torch.where(medium, smoothed, scaled)
    return inv  # float32, like transformers


def rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def logits(args):
    with open(os.path.join(args.dir, "config.json")) as f:
        config = json.load(f)
    w = read_safetensors(os.path.join(args.dir, "model.safetensors"))
    ids = torch.tensor(json.loads(args.ids), dtype=torch.long)
    hidden, heads, kv_heads = config["hidden_size"], config["num_attention_heads"], config["num_key_value_heads"]
    head_dim = config.get("head_dim") or hidden // heads
    eps = config["rms_norm_eps"]
    n = ids.shape[0]
    inv = inverse_frequencies(config, head_dim)
    # Angles in float32 as transformers computes them (inv_freq @ positions in float32).
    angles = (torch.arange(n, dtype=torch.float32)[:, None] * inv[None, :]).double()
    emb = torch.cat((angles, angles), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    x = w["model.embed_tokens.weight"][ids]
    mask = torch.full((n, n), float("-inf"), dtype=torch.float64).triu(1)
    for i in range(config["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = h @ w[p + "self_attn.q_proj.weight"].T
        k = h @ w[p + "self_attn.k_proj.weight"].T
        v = h @ w[p + "self_attn.v_proj.weight"].T
        if p + "self_attn.q_proj.bias" in w:
            q, k, v = q + w[p + "self_attn.q_proj.bias"], k + w[p + "self_attn.k_proj.bias"], v + w[p + "self_attn.v_proj.bias"]
        q = q.view(n, heads, head_dim).transpose(0, 1)
        k = k.view(n, kv_heads, head_dim).transpose(0, 1)
        v = v.view(n, kv_heads, head_dim).transpose(0, 1)
        if p + "self_attn.q_norm.weight" in w:
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(heads // kv_heads, dim=0)
        v = v.repeat_interleave(heads // kv_heads, dim=0)
        scores = q @ k.transpose(-1, -2) / math.sqrt(head_dim) + mask
        attn = torch.softmax(scores, dim=-1) @ v
        attn = attn.transpose(0, 1).reshape(n, heads * head_dim)
        x = x + attn @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w.get("lm_head.weight", w["model.embed_tokens.weight"])
    json.dump((x @ head.T).tolist(), sys.stdout)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("dir")
    m.add_argument("--arch", default="llama")
    m.add_argument("--dtype", default="f32")
    m.add_argument("--rope", default="default")
    m.add_argument("--seed", type=int, default=0)
    l = sub.add_parser("logits")
    l.add_argument("dir")
    l.add_argument("ids")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    make(args) if args.command == "make" else logits(args)


if __name__ == "__main__":
    main()
