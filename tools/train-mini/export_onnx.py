"""Exports the trained checkpoints to models/stochedit-mini in Stable Diffusion's ONNX layout (as optimum writes it).

text_encoder/, unet/, vae_encoder/, vae_decoder/ (model.onnx each), tokenizer/ (CLIP vocab.json + merges.txt),
scheduler/scheduler_config.json, model_index.json, and each part's config.json.
"""
import argparse
import json
import shutil
from pathlib import Path

import onnx
import torch
from torch import nn

from stochedit_mini.dataset import CHECKPOINT_DIR
from stochedit_mini.onnx_fp16 import float16_weights
from stochedit_mini.schedule import BETA_END, BETA_START, TRAIN_TIMESTEPS
from stochedit_mini.tokenizer import CONTEXT_LENGTH, END_TOKEN, START_TOKEN, ClipTokenizer
from stochedit_mini.vae import LATENT_CHANNELS, AutoencoderKL
from train_unet import build_models

REPO_ROOT = Path(__file__).resolve().parents[2]
OPSET = 17


class TextEncoderGraph(nn.Module):
    def __init__(self, text_encoder: nn.Module):
        super().__init__()
        self.text_encoder = text_encoder

    def forward(self, input_ids: torch.Tensor):
        return self.text_encoder(input_ids)


class UNetGraph(nn.Module):
    def __init__(self, unet: nn.Module):
        super().__init__()
        self.unet = unet

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, encoder_hidden_states: torch.Tensor):
        return self.unet(sample, timestep, encoder_hidden_states)


class VaeEncoderGraph(nn.Module):
    def __init__(self, vae: AutoencoderKL):
        super().__init__()
        self.encoder = vae.encoder

    def forward(self, sample: torch.Tensor):
        return self.encoder(sample)


class VaeDecoderGraph(nn.Module):
    def __init__(self, vae: AutoencoderKL):
        super().__init__()
        self.decoder = vae.decoder

    def forward(self, latent_sample: torch.Tensor):
        return self.decoder(latent_sample)


def export(module: nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str], axes: dict, fp16: bool):
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        module.eval(),
        args,
        str(path),
        input_names=inputs,
        output_names=outputs,
        dynamic_axes=axes,
        opset_version=OPSET,
        do_constant_folding=True,
    )
    model = onnx.load(str(path))
    if fp16:
        model = float16_weights(model)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    print(f"{path.parent.name}/{path.name}: {path.stat().st_size / 1e6:.2f} MB")


def write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n")


@torch.no_grad()
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "models" / "stochedit-mini")
    parser.add_argument("--fp32", action="store_true", help="store weights as float32 (default: float16 + Cast)")
    args = parser.parse_args()
    fp16 = not args.fp32
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)

    tokenizer = ClipTokenizer.load(CHECKPOINT_DIR / "tokenizer")
    vae = AutoencoderKL().eval()
    vae_state = torch.load(CHECKPOINT_DIR / "vae.pt")
    vae.load_state_dict(vae_state["model"])
    text_encoder, unet = build_models(tokenizer)
    state = torch.load(CHECKPOINT_DIR / "unet.pt")
    # The exponential moving average of the weights samples better than the last step's weights.
    text_encoder.load_state_dict(state["ema_text_encoder"])
    unet.load_state_dict(state["ema_unet"])
    scaling_factor = state["scaling_factor"]
    width = text_encoder.final_layer_norm.normalized_shape[0]

    ids = torch.tensor([tokenizer.encode("grinning face, noto style"), tokenizer.encode("")])
    export(
        TextEncoderGraph(text_encoder),
        (ids,),
        out / "text_encoder" / "model.onnx",
        ["input_ids"],
        ["last_hidden_state", "pooler_output"],
        {"input_ids": {0: "batch_size"}, "last_hidden_state": {0: "batch_size"}, "pooler_output": {0: "batch_size"}},
        fp16,
    )
    export(
        UNetGraph(unet),
        (torch.randn(2, 4, 16, 16), torch.tensor(500.0), torch.randn(2, CONTEXT_LENGTH, width)),
        out / "unet" / "model.onnx",
        ["sample", "timestep", "encoder_hidden_states"],
        ["out_sample"],
        {
            "sample": {0: "batch_size", 2: "height", 3: "width"},
            "encoder_hidden_states": {0: "batch_size"},
            "out_sample": {0: "batch_size", 2: "height", 3: "width"},
        },
        fp16,
    )
    export(
        VaeEncoderGraph(vae),
        (torch.rand(1, 3, 128, 128) * 2 - 1,),
        out / "vae_encoder" / "model.onnx",
        ["sample"],
        ["latent_parameters"],
        {"sample": {0: "batch_size", 2: "height", 3: "width"}, "latent_parameters": {0: "batch_size", 2: "height_latent", 3: "width_latent"}},
        fp16,
    )
    export(
        VaeDecoderGraph(vae),
        (torch.randn(1, 4, 16, 16),),
        out / "vae_decoder" / "model.onnx",
        ["latent_sample"],
        ["sample"],
        {"latent_sample": {0: "batch_size", 2: "height_latent", 3: "width_latent"}, "sample": {0: "batch_size", 2: "height", 3: "width"}},
        fp16,
    )

    tokenizer.save(out / "tokenizer")
    special = {"bos_token": START_TOKEN, "eos_token": END_TOKEN, "pad_token": END_TOKEN, "unk_token": END_TOKEN}
    write_json(out / "tokenizer" / "special_tokens_map.json", special)
    write_json(
        out / "tokenizer" / "tokenizer_config.json",
        {**special, "tokenizer_class": "CLIPTokenizer", "model_max_length": CONTEXT_LENGTH, "do_lower_case": True,
         "add_prefix_space": False, "errors": "replace", "clean_up_tokenization_spaces": True},
    )
    write_json(
        out / "scheduler" / "scheduler_config.json",
        {"_class_name": "PNDMScheduler", "_diffusers_version": "0.30.0", "beta_start": BETA_START, "beta_end": BETA_END,
         "beta_schedule": "scaled_linear", "num_train_timesteps": TRAIN_TIMESTEPS, "prediction_type": "epsilon",
         "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1, "clip_sample": False,
         "timestep_spacing": "leading", "trained_betas": None},
    )
    vae_config = {"_class_name": "AutoencoderKL", "_diffusers_version": "0.30.0", "in_channels": 3, "out_channels": 3,
                  "latent_channels": LATENT_CHANNELS, "sample_size": 128, "scaling_factor": round(scaling_factor, 5),
                  "down_sampling_factor": 8, "stochedit_vae_steps": vae_state["step"]}
    write_json(out / "vae_encoder" / "config.json", vae_config)
    write_json(out / "vae_decoder" / "config.json", vae_config)
    write_json(
        out / "unet" / "config.json",
        {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.30.0", "in_channels": 4, "out_channels": 4,
         "sample_size": 16, "cross_attention_dim": width, "block_out_channels": [64, 128],
         "parameters": sum(p.numel() for p in unet.parameters()), "stochedit_training_steps": state["step"]},
    )
    write_json(
        out / "text_encoder" / "config.json",
        {"architectures": ["CLIPTextModel"], "model_type": "clip_text_model", "hidden_size": width,
         "num_hidden_layers": len(text_encoder.layers), "num_attention_heads": text_encoder.layers[0].heads,
         "max_position_embeddings": CONTEXT_LENGTH, "vocab_size": len(tokenizer.vocab),
         "bos_token_id": tokenizer.start_id, "eos_token_id": tokenizer.end_id, "pad_token_id": tokenizer.end_id,
         "parameters": sum(p.numel() for p in text_encoder.parameters())},
    )
    write_json(
        out / "model_index.json",
        {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.30.0", "_name_or_path": "stochedit-mini",
         "feature_extractor": [None, None], "safety_checker": [None, None], "requires_safety_checker": False,
         "scheduler": ["diffusers", "PNDMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
         "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
         "vae": ["diffusers", "AutoencoderKL"]},
    )
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"{out}: {total / 1e6:.2f} MB in all, weights {'float16' if fp16 else 'float32'}")


if __name__ == "__main__":
    main()
