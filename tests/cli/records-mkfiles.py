#!/usr/bin/env python3
"""records-mkfiles.py - writes the files the import tests use, byte by byte.

    records-mkfiles.py KIND PATH [ARGS...]

PNG text chunks are written the way the tools write them:

 - AUTOMATIC1111 (and Forge) build the "parameters" text in
   modules/processing.py create_infotext():
       f"{prompt}{negative_prompt_text}\\n{generation_params_text}"
   where negative_prompt_text is "\\nNegative prompt: ..." (absent when empty)
   and generation_params_text joins "Key: value" with ", ", quoting a value
   holding ',', ':' or a newline with json.dumps (infotext_utils.quote).
   modules/images.py save_image_with_geninfo() stores it with Pillow's
   PngInfo.add_text("parameters", text).
 - ComfyUI's SaveImage node (nodes.py, SaveImage.save_images) calls
   PngInfo.add_text("prompt", json.dumps(prompt)) with the API graph and
   PngInfo.add_text("workflow", json.dumps(workflow)) with the UI graph.
 - Pillow's PngImagePlugin.PngInfo.add_text() writes a tEXt chunk
   (keyword, NUL, Latin-1 text) when the text is Latin-1, else an iTXt
   chunk (keyword, NUL, compression flag 0, method 0, empty language, NUL,
   empty translated keyword, NUL, UTF-8 text); with zip=True a zTXt chunk
   (keyword, NUL, method 0, zlib data).  (PNG spec, ISO/IEC 15948 11.3.4.)
"""
import json
import struct
import sys
import zlib


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(w, h, texts=(), rgb=(200, 80, 40), level=6):
    raw = b"".join(b"\0" + bytes(rgb) * w for _ in range(h))
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    for t in texts:
        body += t
    body += chunk(b"IDAT", zlib.compress(raw, level)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def add_text(key, value, zip=False):
    """What Pillow's PngInfo.add_text writes."""
    try:
        v = value.encode("latin-1")
    except UnicodeError:
        return itxt(key, value, zip)
    if zip:
        return chunk(b"zTXt", key.encode("latin-1") + b"\0\0" + zlib.compress(v))
    return chunk(b"tEXt", key.encode("latin-1") + b"\0" + v)


def itxt(key, value, zip=False):
    v = value.encode("utf-8")
    head = key.encode("latin-1") + (b"\0\1\0" if zip else b"\0\0\0") + b"\0" + b"\0"
    return chunk(b"iTXt", head + (zlib.compress(v) if zip else v))


def quote(v):
    v = str(v)
    if "," not in v and "\n" not in v and ":" not in v:
        return v
    return json.dumps(v, ensure_ascii=False)


def a1111_text(prompt, negative, params):
    gen = ", ".join(k if k == v else f"{k}: {quote(v)}" for k, v in params.items() if v is not None)
    neg = f"\nNegative prompt: {negative}" if negative else ""
    return f"{prompt}{neg}\n{gen}".strip()


def comfy_graph(prompt, negative, seed, steps, cfg, sampler, scheduler, ckpt, w, h):
    """An API-format graph as ComfyUI's default workflow queues it."""
    return {
        "3": {"inputs": {"seed": seed, "steps": steps, "cfg": cfg, "sampler_name": sampler,
                         "scheduler": scheduler, "denoise": 1, "model": ["4", 0], "positive": ["6", 0],
                         "negative": ["7", 0], "latent_image": ["5", 0]},
              "class_type": "KSampler", "_meta": {"title": "KSampler"}},
        "4": {"inputs": {"ckpt_name": ckpt}, "class_type": "CheckpointLoaderSimple",
              "_meta": {"title": "Load Checkpoint"}},
        "5": {"inputs": {"width": w, "height": h, "batch_size": 1}, "class_type": "EmptyLatentImage",
              "_meta": {"title": "Empty Latent Image"}},
        "6": {"inputs": {"text": prompt, "clip": ["4", 1]}, "class_type": "CLIPTextEncode",
              "_meta": {"title": "CLIP Text Encode (Prompt)"}},
        "7": {"inputs": {"text": negative, "clip": ["4", 1]}, "class_type": "CLIPTextEncode",
              "_meta": {"title": "CLIP Text Encode (Prompt)"}},
        "8": {"inputs": {"samples": ["3", 0], "vae": ["4", 2]}, "class_type": "VAEDecode",
              "_meta": {"title": "VAE Decode"}},
        "9": {"inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}, "class_type": "SaveImage",
              "_meta": {"title": "Save Image"}},
    }


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    kind, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if kind == "plain":                      # plain PATH [R G B]
        rgb = tuple(int(a) for a in args[:3]) if args else (10, 20, 30)
        write(path, png(8, 8, (), rgb))
    elif kind == "stored":                   # stored PATH R G B [PROMPT SEED]: bytes that never vary
        rgb = tuple(int(a) for a in args[:3])  # (zlib level 0: stored blocks, the same with any zlib)
        texts = []
        if len(args) > 4:
            texts = [add_text("parameters", a1111_text(args[3], "", {"Steps": 20, "Seed": int(args[4]),
                                                                       "Size": "8x8", "Model": "fox-xl"}))]
        write(path, png(8, 8, texts, rgb, 0))
    elif kind == "a1111":                    # a1111 PATH CHUNK(tEXt|iTXt|zTXt) PROMPT NEGATIVE SEED
        ck, prompt, negative, seed = args[0], args[1], args[2], int(args[3])
        params = {"Steps": 28, "Sampler": "DPM++ 2M", "Schedule type": "Karras", "CFG scale": 6.5,
                  "Seed": seed, "Size": "64x48", "Model hash": "45a21ea00a",
                  "Model": "sdxl_base_1.0", "Denoising strength": None, "Version": "v1.10.1"}
        text = a1111_text(prompt, negative, params)
        if ck == "tEXt":
            t = chunk(b"tEXt", b"parameters\0" + text.encode("latin-1"))
        elif ck == "iTXt":
            t = itxt("parameters", text)
        else:
            t = add_text("parameters", text, zip=True)
        write(path, png(64, 48, [t], (seed % 256, 90, 160)))
    elif kind == "comfy":                    # comfy PATH PROMPT NEGATIVE SEED
        prompt, negative, seed = args[0], args[1], int(args[2])
        g = comfy_graph(prompt, negative, seed, 20, 8.0, "euler", "normal", "v1-5-pruned-emaonly.ckpt", 32, 32)
        workflow = {"last_node_id": 9, "last_link_id": 9, "nodes": [], "links": [], "groups": [],
                    "config": {}, "extra": {}, "version": 0.4}
        write(path, png(32, 32, [add_text("prompt", json.dumps(g)), add_text("workflow", json.dumps(workflow))],
                        (seed % 256, 200, 10)))
    elif kind == "truncated":                # the first half of a PNG
        data = png(64, 64, [add_text("parameters", "a cut prompt\nSteps: 3")])
        write(path, data[: len(data) // 2])
    elif kind == "bigtext":                  # a valid PNG whose parameters chunk holds MEGABYTES of garbage
        mb = int(args[0]) if args else 3
        junk = bytes((i * 7919 + 13) % 95 + 32 for i in range(mb << 20)).decode("latin-1")
        write(path, png(8, 8, [add_text("parameters", junk)], (1, 2, 3)))
    elif kind == "huge":                     # a header claiming 100000x100000 pixels
        body = chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
        body += chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")
        write(path, b"\x89PNG\r\n\x1a\n" + body)
    elif kind == "gif":                      # a 1x1 GIF (for a name that lies)
        write(path, b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\x00"
                    b"!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
    elif kind == "wav":                      # 0.5 s of 8 kHz 16-bit mono silence
        n = 4000
        data = b"\0\0" * n
        write(path, b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " +
              struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16) + b"data" + struct.pack("<I", len(data)) + data)
    else:
        sys.exit("unknown kind " + kind)


main()
