"""Small models reproducing the architectures of issue 15, with PyTorch references.

usage: python3 make_architectures.py OUT_DIR
Writes OUT_DIR/models, inputs, cases and manifest.json in the schema of ../../fixtures (see its
notes; the Writer, targets and CAM formulas are the ones of ../../fixtures/tools). Token layers
([B, N, C]) are referenced through pytorch-grad-cam's reshape_transform: drop the class token
when there is one, reshape to the patch grid, move channels first. Needs torch (1.13+), numpy,
nibabel.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "tools"))
import make_fixtures as mf  # noqa: E402
import refcam  # noqa: E402

METHODS = ["gradcam", "layercam"]


# ---- nnU-Net style: ConvDropoutNormReLU registered twice, deep supervision returned reversed ----

class ConvDropoutNormReLU(nn.Module):
    """As nnU-Net: conv, norm and nonlin are attributes and also the children of all_modules."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = nn.Conv3d(cin, cout, 3, stride, 1)
        self.norm = nn.InstanceNorm3d(cout, affine=True)
        self.nonlin = nn.LeakyReLU(0.01)
        self.all_modules = nn.Sequential(self.conv, self.norm, self.nonlin)

    def forward(self, x):
        return self.all_modules(x)


class StackedConvBlocks(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.convs = nn.Sequential(ConvDropoutNormReLU(cin, cout, stride), ConvDropoutNormReLU(cout, cout, 1))

    def forward(self, x):
        return self.convs(x)


class Encoder(nn.Module):
    def __init__(self, chans):
        super().__init__()
        stages, cin = [], 1
        for i, c in enumerate(chans):
            stages.append(nn.Sequential(StackedConvBlocks(cin, c, 1 if i == 0 else 2)))
            cin = c
        self.stages = nn.Sequential(*stages)

    def forward(self, x):
        ret = []
        for s in self.stages:
            x = s(x)
            ret.append(x)
        return ret


class Decoder(nn.Module):
    def __init__(self, chans, classes):
        super().__init__()
        self.transpconvs = nn.ModuleList()
        self.stages = nn.ModuleList()
        self.seg_layers = nn.ModuleList()
        for s in range(1, len(chans)):
            below, skip = chans[-s], chans[-(s + 1)]
            self.transpconvs.append(nn.ConvTranspose3d(below, skip, 2, 2))
            self.stages.append(StackedConvBlocks(2 * skip, skip, 1))
            self.seg_layers.append(nn.Conv3d(skip, classes, 1))

    def forward(self, skips):
        lres = skips[-1]
        seg_outputs = []
        for s in range(len(self.stages)):
            x = self.transpconvs[s](lres)
            x = torch.cat((x, skips[-(s + 2)]), 1)
            x = self.stages[s](x)
            seg_outputs.append(self.seg_layers[s](x))
            lres = x
        return seg_outputs[::-1]   # full resolution first, as nnU-Net returns it


class PlainConvUNet(nn.Module):
    def __init__(self, chans=(4, 8, 12), classes=3):
        super().__init__()
        self.encoder = Encoder(chans)
        self.decoder = Decoder(chans, classes)

    def forward(self, x):
        return self.decoder(self.encoder(x))


# ---- a module reached through two attributes (MONAI DynUNet's bottleneck / skip_layers) ----

class SkipLayer(nn.Module):
    def __init__(self, next_layer):
        super().__init__()
        self.next_layer = next_layer

    def forward(self, x):
        return x + self.next_layer(x)


class AliasNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.input_block = nn.Conv3d(1, 6, 3, 1, 1)
        self.bottleneck = nn.Sequential(nn.Conv3d(6, 6, 3, 1, 1), nn.ReLU())
        self.skip_layers = SkipLayer(self.bottleneck)
        self.output_block = nn.Conv3d(6, 2, 1)

    def forward(self, x):
        return self.output_block(self.skip_layers(torch.tanh(self.input_block(x))))


# ---- Swin-style windowed attention with a relative-position-bias lookup ----

class WindowAttention(nn.Module):
    def __init__(self, dim, heads, window):
        super().__init__()
        self.heads, self.window = heads, window
        self.scale = (dim // heads) ** -0.5
        w = window
        self.relative_position_bias_table = nn.Parameter(torch.randn(2 * w - 1, 2 * w - 1, 2 * w - 1, heads) * 0.5)
        coords = torch.stack(torch.meshgrid(torch.arange(w), torch.arange(w), torch.arange(w), indexing="ij")).flatten(1)
        rel = (coords[:, :, None] - coords[:, None, :]) + (w - 1)   # (3, n, n)
        self.register_buffer("relative_position_index", rel)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q * self.scale) @ k.transpose(-2, -1)
        idx = self.relative_position_index
        bias = self.relative_position_bias_table[idx[0], idx[1], idx[2]]   # (n, n, heads): GatherND
        attn = attn + bias.permute(2, 0, 1).unsqueeze(0)
        attn = attn.softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class SwinBlock(nn.Module):
    def __init__(self, dim, heads, window):
        super().__init__()
        self.window = window
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, heads, window)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x, grid):
        b, n, c = x.shape
        d, h, w = grid
        s = self.window
        y = self.norm1(x).reshape(b, d // s, s, h // s, s, w // s, s, c)
        y = y.permute(0, 1, 3, 5, 2, 4, 6, 7).reshape(-1, s * s * s, c)
        y = self.attn(y)
        y = y.reshape(b, d // s, h // s, w // s, s, s, s, c).permute(0, 1, 4, 2, 5, 3, 6, 7).reshape(b, n, c)
        x = x + y
        return x + self.mlp(self.norm2(x))


class SwinStage(nn.Module):
    def __init__(self, dim, heads, window, depth):
        super().__init__()
        self.blocks = nn.ModuleList([SwinBlock(dim, heads, window) for _ in range(depth)])

    def forward(self, x):
        b, c, d, h, w = x.shape
        t = x.flatten(2).transpose(1, 2)   # tokens (b, n, c)
        for blk in self.blocks:
            t = blk(t, (d, h, w))
        return t.transpose(1, 2).reshape(b, c, d, h, w)


class PatchEmbed(nn.Module):
    def __init__(self, cin, dim, patch):
        super().__init__()
        self.proj = nn.Conv3d(cin, dim, patch, patch)

    def forward(self, x):
        return self.proj(x)


class SwinSeg(nn.Module):
    def __init__(self, dim=8, classes=3):
        super().__init__()
        self.patch_embed = PatchEmbed(1, dim, 2)
        self.layers = nn.ModuleList([SwinStage(dim, 2, 2, 2)])
        self.head = nn.Conv3d(dim, classes, 1)

    def forward(self, x):
        y = self.layers[0](self.patch_embed(x))
        return F.interpolate(self.head(y), scale_factor=2, mode="trilinear", align_corners=False)


# ---- ViT / UNETR style token sequences, with and without a class token ----

class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x):
        y = self.norm1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    """cls_token=True: a classifier reading the class token; False: UNETR-like segmentation."""

    def __init__(self, grid, patch=4, dim=12, classes=3, cls_token=True):
        super().__init__()
        self.patch_embedding = nn.Conv3d(1, dim, patch, patch)
        n = int(np.prod(grid))
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.5) if cls_token else None
        self.position_embeddings = nn.Parameter(torch.randn(1, n + (1 if cls_token else 0), dim) * 0.5)
        self.blocks = nn.ModuleList([Block(dim, 2) for _ in range(2)])
        self.norm = nn.LayerNorm(dim)
        self.patch = patch
        if cls_token:
            self.head = nn.Linear(dim, classes)
        else:
            self.up = nn.ConvTranspose3d(dim, 6, patch, patch)
            self.out = nn.Conv3d(6, classes, 1)

    def forward(self, x):
        b = x.shape[0]
        p = self.patch_embedding(x)
        grid = p.shape[2:]
        t = p.flatten(2).transpose(1, 2)
        if self.cls_token is not None:
            t = torch.cat((self.cls_token.expand(b, -1, -1), t), dim=1)
        t = t + self.position_embeddings
        for blk in self.blocks:
            t = blk(t)
        t = self.norm(t)
        if self.cls_token is not None:
            return self.head(t[:, 0])
        y = t.transpose(1, 2).reshape(b, -1, *grid)
        return self.out(torch.relu(self.up(y)))


def tokens_as_volume(a, grid):
    """pytorch-grad-cam's reshape_transform for [B, N, C] tokens."""
    n = int(np.prod(grid))
    if a.shape[1] == n + 1:
        a = a[:, 1:]
    return np.ascontiguousarray(a.reshape(a.shape[0], *grid, a.shape[2]).transpose(0, 4, 1, 2, 3))


def token_cases(w, tag, model, x, layer, module, grid, input_rec, model_file, cls=None):
    """Reference for a token layer: A and dT/dA captured as tokens, then viewed as a volume."""
    with torch.no_grad():
        out = model(x)
    spatial = x.shape[2:]
    if out.ndim == 2:
        classes = out.argmax(dim=1).tolist()
        A, G = mf.cls_case(model, x, module, 0, classes)
        target = {"kind": "classification", "classes": classes}
    else:
        cls = mf.pick_class(out, out.shape[1]) if cls is None else cls
        A, G, _, tval = mf.grad_case(model, x, module, 0, 0, cls, "predicted")
        target = {"kind": "segmentation", "class": cls, "mask": "predicted", "value": tval}
    A, G = tokens_as_volume(A, grid), tokens_as_volume(G, grid)
    base = {"model": model_file, "input": input_rec, "layer": layer, "layer_output": 0, "model_output": 0,
            "target": target, "activation_shape": list(A.shape), "token_grid": list(grid)}
    for method in METHODS:
        arrays = {"activation": A, "gradient": G}
        arrays.update(mf.method_arrays(method, A, G, spatial))
        w.case("%s__%s__%s" % (tag, layer.replace(".", "-"), method), dict(base, method=method), arrays)


def main(out):
    torch.manual_seed(0)
    w = mf.Writer(out)

    # 1 + 2: nnU-Net deep supervision and named_modules paths through all_modules
    net = PlainConvUNet().eval()
    x = torch.from_numpy(mf.blobs((16, 16, 16), 11)[0])[None, None]
    mf.balance_head(net, net.decoder.seg_layers[-1], x)
    mfile = w.export("nnunet_like", net, x, n_outputs=2)
    rec = w.save_input("nnunet_like", x)
    for layer, module, k in [("decoder", net.decoder, 0),
                             ("encoder.stages.1.0.convs.0.nonlin", net.encoder.stages[1][0].convs[0].nonlin, 0),
                             ("encoder.stages.1.0.convs.1.norm", net.encoder.stages[1][0].convs[1].norm, 0)]:
        mf.seg_cases(w, "nnunet_like", net, x, layer, module, k, 0, METHODS, "predicted", rec, mfile)

    # 3: a module registered as bottleneck and called as skip_layers.next_layer
    net = AliasNet().eval()
    x = torch.from_numpy(mf.blobs((8, 8, 8), 12)[0])[None, None]
    mf.balance_head(net, net.output_block, x)
    mfile = w.export("alias_net", net, x)
    rec = w.save_input("alias_net", x)
    for layer, module in [("bottleneck", net.bottleneck), ("bottleneck.1", net.bottleneck[1])]:
        mf.seg_cases(w, "alias_net", net, x, layer, module, 0, 0, METHODS, "predicted", rec, mfile)

    # 4 + 5: windowed attention with a GatherND bias lookup; its tokens and its spatial output
    net = SwinSeg().eval()
    x = torch.from_numpy(mf.blobs((8, 8, 12), 13)[0])[None, None]
    mf.balance_head(net, net.head, x)
    mfile = w.export("swin_like", net, x)
    rec = w.save_input("swin_like", x)
    mf.seg_cases(w, "swin_like", net, x, "layers.0", net.layers[0], 0, 0, METHODS, "predicted", rec, mfile)
    token_cases(w, "swin_like", net, x, "layers.0.blocks.1", net.layers[0].blocks[1], (4, 4, 6), rec, mfile)

    # 5: ViT tokens with a class token (classifier) and without (UNETR-like segmenter)
    x = torch.from_numpy(mf.blobs((8, 12, 16), 14)[0])[None, None]
    vit = ViT((2, 3, 4), cls_token=True).eval()
    mfile = w.export("vit_cls", vit, x, dynamic_spatial=False)
    rec = w.save_input("vit_cls", x)
    token_cases(w, "vit_cls", vit, x, "blocks.0", vit.blocks[0], (2, 3, 4), rec, mfile)
    unetr = ViT((2, 3, 4), cls_token=False).eval()
    mf.balance_head(unetr, unetr.out, x)
    mfile = w.export("unetr_like", unetr, x, dynamic_spatial=False)
    rec = w.save_input("unetr_like", x)
    token_cases(w, "unetr_like", unetr, x, "blocks.0", unetr.blocks[0], (2, 3, 4), rec, mfile)

    w.finish(["Same schema and conventions as ../fixtures/manifest.json.",
              "token_grid: the layer is a [B, N, C] token sequence; activation/gradient/cam_layer are "
              "given for its view [B, C, *token_grid] (class token dropped when N = prod(grid) + 1)."])


if __name__ == "__main__":
    main(sys.argv[1])
