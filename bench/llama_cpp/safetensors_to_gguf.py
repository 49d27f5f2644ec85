#!/usr/bin/python3
"""Converts a radixlm model folder (what `radixlm model make` writes) to a GGUF file for llama.cpp.

Why not llama.cpp's own convert_hf_to_gguf.py: it needs torch and transformers (AutoTokenizer) to
read the folder, which the benchmark machines do not have. This script needs only numpy and
llama.cpp's gguf-py package (pass its folder with --gguf-py or put it on PYTHONPATH), and does, for
the Llama architecture, what convert_hf_to_gguf.py's LlamaModel does (llama.cpp, Feb 2025):

  * tensor names: model.layers.N.self_attn.q_proj.weight -> blk.N.attn_q.weight, ... (the
    MODEL_TENSOR map of gguf-py/gguf/tensor_mapping.py); no output.weight for tied embeddings
    (llama.cpp then reads token_embd.weight for the LM head);
  * q_proj / k_proj rows permuted from Hugging Face's rotate-half RoPE layout to the interleaved
    pairs llama.cpp's rope expects (LlamaModel.permute: reshape(n_head, 2, head_dim/2, cols),
    swap axes 1 and 2);
  * 1-D tensors (the norms) as F32, matrices as --outtype (f16 default, or f32);
  * for llama3 rope scaling, the rope_freqs.weight tensor of per-frequency factors
    (LlamaModel.generate_extra_tensors);
  * a "gpt2" (byte-level BPE) tokenizer from tokenizer.json: tokens, types, merges and special
    ids, padded with [PAD<i>] UNUSED tokens up to the model's vocab_size as get_vocab_base does.

Safetensors are read with numpy: an 8-byte little-endian header length, a JSON header of
{name: {dtype, shape, data_offsets}}, then raw little-endian data; bf16 becomes f32 by shifting its
16 bits into the top of a uint32.

Usage:
  /usr/bin/python3 bench/llama_cpp/safetensors_to_gguf.py --gguf-py /tmp/llama.cpp/gguf-py \
      build/bench-models/smollm2-135m-bf16 /tmp/smollm2-135m-f16.gguf
"""

import argparse
import json
import math
import struct
import sys
import types
from pathlib import Path

import numpy as np

TENSOR_NAMES = {
    "input_layernorm": "attn_norm",
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "post_attention_layernorm": "ffn_norm",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
GLOBAL_NAMES = {
    "model.embed_tokens.weight": "token_embd.weight",
    "model.norm.weight": "output_norm.weight",
    "lm_head.weight": "output.weight",
}


def read_safetensors(path):
    """Yields (name, float32 ndarray) for every tensor of one .safetensors file."""
    with open(path, "rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_len)
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[begin:end]
        dtype = info["dtype"]
        if dtype == "BF16":
            values = (raw.view("<u2").astype(np.uint32) << 16).view(np.float32)
        elif dtype == "F16":
            values = raw.view("<f2").astype(np.float32)
        elif dtype == "F32":
            values = np.array(raw.view("<f4"))
        else:
            raise ValueError(f"{path}: tensor {name} has dtype {dtype}; expected BF16, F16 or F32")
        yield name, values.reshape(info["shape"])


def model_tensors(model_dir):
    index = model_dir / "model.safetensors.index.json"
    if index.exists():
        files = sorted(set(json.loads(index.read_text())["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    for file in files:
        yield from read_safetensors(model_dir / file)


def permute(weights, n_head, n_head_kv):
    """convert_hf_to_gguf.py LlamaModel.permute: rotate-half rows -> interleaved pairs."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2)
            .reshape(weights.shape))


def gguf_name(name):
    if name in GLOBAL_NAMES:
        return GLOBAL_NAMES[name]
    parts = name.split(".")  # model.layers.N.<module...>.weight
    if len(parts) < 5 or parts[:2] != ["model", "layers"]:
        raise ValueError(f"unexpected tensor {name}")
    module = ".".join(parts[3:-1])
    if module not in TENSOR_NAMES:
        raise ValueError(f"unexpected tensor {name} (biases and q/k norms are not Llama)")
    return f"blk.{parts[2]}.{TENSOR_NAMES[module]}.{parts[-1]}"


def llama3_rope_factors(config):
    """convert_hf_to_gguf.py LlamaModel.generate_extra_tensors, for rope_type llama3."""
    scaling = config.get("rope_scaling") or {}
    if scaling.get("rope_type", scaling.get("type", "")).lower() != "llama3":
        return None
    base = config.get("rope_theta", 10000.0)
    dim = config.get("head_dim", config["hidden_size"] // config["num_attention_heads"])
    factor = scaling.get("factor", 8.0)
    low = scaling.get("low_freq_factor", 1.0)
    high = scaling.get("high_freq_factor", 4.0)
    old_context = scaling.get("original_max_position_embeddings", 8192)
    low_wavelen, high_wavelen = old_context / low, old_context / high
    factors = []
    for i in range(0, dim, 2):
        wavelen = 2 * math.pi * base ** (i / dim)
        if wavelen < high_wavelen:
            factors.append(1.0)
        elif wavelen > low_wavelen:
            factors.append(factor)
        else:
            smooth = (old_context / wavelen - low) / (high - low)
            factors.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(factors, dtype=np.float32)


def add_tokenizer(writer, gguf, model_dir, config, pre):
    tokenizer = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    model = tokenizer["model"]
    if model.get("type") != "BPE":
        raise ValueError("tokenizer.json is not a BPE tokenizer")
    by_id = {token_id: token for token, token_id in model["vocab"].items()}
    special = set()
    for added in tokenizer.get("added_tokens", []):
        by_id[added["id"]] = added["content"]
        if added.get("special", False):
            special.add(added["id"])
    vocab_size = config["vocab_size"]
    if max(by_id) >= vocab_size:
        raise ValueError(f"tokenizer id {max(by_id)} is outside the model vocab {vocab_size}")
    tokens, types = [], []
    for i in range(vocab_size):
        if i not in by_id:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        else:
            tokens.append(by_id[i])
            types.append(gguf.TokenType.CONTROL if i in special else gguf.TokenType.NORMAL)
    merges = [m if isinstance(m, str) else " ".join(m) for m in model.get("merges", [])]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    if config.get("bos_token_id") is not None:
        writer.add_bos_token_id(config["bos_token_id"])
    eos = config.get("eos_token_id")
    if isinstance(eos, list):
        eos = eos[0] if eos else None
    if eos is not None:
        writer.add_eos_token_id(eos)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir", type=Path, help="radixlm / Hugging Face Llama model folder")
    parser.add_argument("output", type=Path, help="GGUF file to write")
    parser.add_argument("--gguf-py", type=Path, help="llama.cpp's gguf-py folder")
    parser.add_argument("--outtype", choices=["f16", "f32"], default="f16")
    parser.add_argument("--pre", help="tokenizer.ggml.pre (default: llama-bpe for a 128256 "
                        "vocabulary, else smollm)")
    args = parser.parse_args()
    if args.gguf_py is not None:
        sys.path.insert(0, str(args.gguf_py))
    try:
        import sentencepiece  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        # gguf-py imports SentencePieceProcessor at load time; a GPT-2 style vocabulary never
        # uses it, so a stand-in lets gguf-py load where the package is not installed.
        stub = types.ModuleType("sentencepiece")
        stub.SentencePieceProcessor = None
        sys.modules["sentencepiece"] = stub
    import gguf  # pylint: disable=import-outside-toplevel

    config = json.loads((args.model_dir / "config.json").read_text())
    if config.get("model_type") not in (None, "llama"):
        raise SystemExit(f"{args.model_dir}: model_type {config.get('model_type')} is not llama")
    n_head = config["num_attention_heads"]
    n_head_kv = config.get("num_key_value_heads", n_head)
    head_dim = config.get("head_dim", config["hidden_size"] // n_head)
    tied = config.get("tie_word_embeddings", False)
    pre = args.pre or ("llama-bpe" if config["vocab_size"] == 128256 else "smollm")

    writer = gguf.GGUFWriter(args.output, "llama")
    writer.add_name(args.model_dir.name)
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_context_length(config.get("max_position_embeddings", 4096))
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv)
    writer.add_rope_freq_base(config.get("rope_theta", 10000.0))
    writer.add_layer_norm_rms_eps(config.get("rms_norm_eps", 1e-5))
    writer.add_vocab_size(config["vocab_size"])
    writer.add_rope_dimension_count(head_dim)
    if "head_dim" in config:
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if args.outtype == "f16"
                         else gguf.LlamaFileType.ALL_F32)
    add_tokenizer(writer, gguf, args.model_dir, config, pre)

    matrix_type = np.float16 if args.outtype == "f16" else np.float32
    factors = llama3_rope_factors(config)
    if factors is not None:
        writer.add_tensor("rope_freqs.weight", factors)
    for name, values in model_tensors(args.model_dir):
        if name == "lm_head.weight" and tied:
            continue
        if name.endswith("q_proj.weight"):
            values = permute(values, n_head, n_head)
        elif name.endswith("k_proj.weight"):
            values = permute(values, n_head, n_head_kv)
        out = values.astype(np.float32 if values.ndim <= 1 else matrix_type)
        writer.add_tensor(gguf_name(name), np.ascontiguousarray(out))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
