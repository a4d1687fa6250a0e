#!/usr/bin/env python3
"""genmeta-seeds.py DIR - writes starting files for the metadata fuzzers
(fuzz-pngtext; `make fuzz` runs it into tests/fuzz/corpus-genmeta).

Python's standard library only; each file is laid out as its tool writes it:
 - NovelAI WebP (VP8X, a 1x1 lossless frame, EXIF): IFD0 ImageDescription = four NUL bytes and
   the prompt, Exif UserComment = "ASCII\\0\\0\\0" and NovelAI's text chunks
   as one JSON object (as enslo/sd-metadata reads NovelAI's WebP);
 - stealth PNG info: the signature, a 32-bit length in bits and the payload,
   MSB first, in the lowest bits of alpha (one per pixel) or of R, G, B
   (three), pixels column by column (sd-webui-stealth-pnginfo's add_data);
 - a ComfyUI PNG whose "prompt" graph has a base and a refiner
   KSamplerAdvanced (ComfyUI's SDXL refiner example, json.dumps form).
"""
import base64
import gzip
import json
import os
import struct
import sys
import zlib


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(width, height, channels, pixels, texts=()):
    ctype = 6 if channels == 4 else 2
    raw = bytearray()
    for y in range(height):
        raw.append(0)
        raw += pixels[y * width * channels:(y + 1) * width * channels]
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8,
                                                            ctype, 0, 0, 0))
    for key, value in texts:
        out += chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1"))
    return out + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b"")


def stealth(width, height, channels, text, rgb, compressed):
    pixels = bytearray((i * 7 + i // 13) & 255 for i in range(width * height * channels))
    sig = "stealth_%s%s" % ("rgb" if rgb else "png", "comp" if compressed else "info")
    payload = gzip.compress(text.encode()) if compressed else text.encode()
    stream = sig.encode() + struct.pack(">I", len(payload) * 8) + payload
    bits = [(byte >> (7 - k)) & 1 for byte in stream for k in range(8)]
    if not rgb:
        for p in range(width * height):
            pixels[p * channels + 3] = 255
    for i, bit in enumerate(bits):
        pix = i // 3 if rgb else i
        x, y = pix // height, pix % height
        at = (y * width + x) * channels + (i % 3 if rgb else 3)
        pixels[at] = (pixels[at] & ~1) | bit
    return png(width, height, channels, pixels)


def novelai_webp():
    comment = json.dumps({"prompt": "1girl, cherry blossoms", "steps": 28, "height": 1216,
                          "width": 832, "scale": 5.0, "seed": 3847221155,
                          "sampler": "k_euler_ancestral", "uc": "lowres"})
    doc = json.dumps({"Comment": comment, "Description": "1girl, cherry blossoms",
                      "Generation time": "4.8", "Software": "NovelAI",
                      "Source": "NovelAI Diffusion V4.5 4BDE2A90",
                      "Title": "NovelAI generated image"})
    desc = b"\0\0\0\0" + b"1girl, cherry blossoms" + b"\0"
    uc = b"ASCII\0\0\0" + doc.encode()
    tiff = b"II*\0" + struct.pack("<I", 8)
    tiff += struct.pack("<H", 2)
    tiff += struct.pack("<HHII", 0x010e, 2, len(desc), 56)
    tiff += struct.pack("<HHII", 0x8769, 4, 1, 38) + struct.pack("<I", 0)
    tiff += struct.pack("<H", 1) + struct.pack("<HHII", 0x9286, 7, len(uc), 56 + len(desc))
    tiff += struct.pack("<I", 0) + desc + uc
    # VP8X (extended format, EXIF flag, 1x1 canvas), a 1x1 lossless VP8L
    # frame, then the EXIF chunk.
    vp8l = base64.b64decode("LwAAABAHEBERiIj+Bw==")
    body = b"WEBP" + b"VP8X" + struct.pack("<I", 10) + bytes([0x08, 0, 0, 0]) + bytes(6)
    body += b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l + (b"\0" if len(vp8l) & 1 else b"")
    body += b"EXIF" + struct.pack("<I", len(tiff)) + tiff + (b"\0" if len(tiff) & 1 else b"")
    return b"RIFF" + struct.pack("<I", len(body)) + body


def comfy_refiner():
    def node(kind, **inputs):
        return {"inputs": inputs, "class_type": kind}
    g = {
        "4": node("CheckpointLoaderSimple", ckpt_name="sd_xl_base_1.0.safetensors"),
        "12": node("CheckpointLoaderSimple", ckpt_name="sd_xl_refiner_1.0.safetensors"),
        "5": node("EmptyLatentImage", width=1024, height=1024, batch_size=1),
        "6": node("CLIPTextEncode", text="a glass bottle", clip=["4", 1]),
        "7": node("CLIPTextEncode", text="text, watermark", clip=["4", 1]),
        "10": node("KSamplerAdvanced", add_noise="enable", noise_seed=721897303308196,
                   steps=25, cfg=8, sampler_name="euler", scheduler="normal",
                   start_at_step=0, end_at_step=20, return_with_leftover_noise="enable",
                   model=["4", 0], positive=["6", 0], negative=["7", 0],
                   latent_image=["5", 0]),
        "11": node("KSamplerAdvanced", add_noise="disable", noise_seed=0, steps=25, cfg=8,
                   sampler_name="euler", scheduler="normal", start_at_step=20,
                   end_at_step=10000, return_with_leftover_noise="disable",
                   model=["12", 0], positive=["6", 0], negative=["7", 0],
                   latent_image=["10", 0]),
        "17": node("VAEDecode", samples=["11", 0], vae=["12", 2]),
        "19": node("SaveImage", filename_prefix="ComfyUI", images=["17", 0]),
    }
    return png(1, 1, 3, bytes(3), [("prompt", json.dumps(g))])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: genmeta-seeds.py DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    info = ("a lighthouse at dusk\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, "
            "CFG scale: 7, Seed: 42, Size: 512x512, Model: sd15, Version: v1.10.1")
    files = {
        "novelai.webp": novelai_webp(),
        "stealth-alpha.png": stealth(48, 40, 4, info, False, False),
        "stealth-alpha-gzip.png": stealth(24, 200, 4, info, False, True),
        "stealth-rgb.png": stealth(24, 20, 3, info, True, False),
        "stealth-rgb-gzip.png": stealth(24, 20, 4, info, True, True),
        "comfy-refiner.png": comfy_refiner(),
    }
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
