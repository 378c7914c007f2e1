#!/usr/bin/env python3
"""Compiles ONNX models for AMD chips and checks every kernel's registers.

For each model and chip: `loomc --target=rocm:<chip>` writes an artifact;
the AMDGPU code objects embedded in it (ELF files with e_machine 224, one
per outlined kernel module) are cut out and read with `llvm-readelf
--notes`. Each kernel must be built for the chip, use at most BUDGET vector
registers (.vgpr_count + .agpr_count), and no scratch memory
(.private_segment_fixed_size 0). Prints one line per model and chip:
kernels, the largest VGPR count and LDS size, and how many kernels run on
the matrix cores (their disassembly, by the llvm-objdump next to
llvm-readelf, has a v_mfma instruction). `--expect-mfma NAME=COUNT`
(repeatable; NAME is the folder holding the model) makes a different
count of MFMA kernels on any chip a failure.

  check_code_objects.py --loomc L --readelf R --budget N --chips a,b
                        [--expect-mfma NAME=COUNT]... MODEL...
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile


def code_objects(blob):
    """The AMDGPU ELF images inside `blob` (found by magic and header)."""
    out, at = [], 0
    while True:
        at = blob.find(b"\x7fELF\x02\x01", at)
        if at < 0:
            return out
        header = blob[at:at + 64]
        if len(header) == 64 and struct.unpack_from("<H", header, 18)[0] == 224:
            shoff, = struct.unpack_from("<Q", header, 40)
            shentsize, shnum = struct.unpack_from("<HH", header, 58)
            size = shoff + shentsize * shnum
            out.append(blob[at:at + size])
            at += size
        else:
            at += 4


def kernels(readelf, image, tmp):
    path = os.path.join(tmp, "k.hsaco")
    with open(path, "wb") as f:
        f.write(image)
    notes = subprocess.run([readelf, "--notes", path], check=True,
                           capture_output=True, text=True).stdout
    target = re.search(r"amdhsa\.target:\s+'?([\w:+-]+)", notes)
    found = []
    listing = notes.split("amdhsa.kernels:", 1)[1].split("amdhsa.target", 1)[0]
    # One block per kernel; its own keys are indented by four spaces, its
    # arguments' deeper.
    for block in listing.split("\n  - ")[1:]:
        top = dict(re.findall(r"^    \.(\w+):\s+(\S+)", "    " + block, re.M))
        if "name" not in top:
            continue
        found.append({
            "name": top["name"],
            "vgpr": int(top.get("vgpr_count", 0)),
            "agpr": int(top.get("agpr_count", 0)),
            "sgpr": int(top.get("sgpr_count", 0)),
            "lds": int(top.get("group_segment_fixed_size", 0)),
            "scratch": int(top.get("private_segment_fixed_size", 0)),
        })
    return (target.group(1) if target else "?"), found


def mfma_kernels(objdump, image, tmp):
    """Names of the functions in `image` with an MFMA instruction."""
    path = os.path.join(tmp, "k.hsaco")
    with open(path, "wb") as f:
        f.write(image)
    listing = subprocess.run([objdump, "-d", "--no-show-raw-insn", path],
                             check=True, capture_output=True, text=True).stdout
    found, name = set(), None
    for line in listing.splitlines():
        head = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if head:
            name = head.group(1)
        elif name and "v_mfma" in line:
            found.add(name)
    return found


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--loomc", required=True)
    p.add_argument("--readelf", required=True)
    p.add_argument("--budget", type=int, required=True)
    p.add_argument("--chips", required=True)
    p.add_argument("--expect-mfma", action="append", default=[],
                   metavar="NAME=COUNT")
    p.add_argument("models", nargs="+")
    args = p.parse_args()
    expected = {}
    for item in args.expect_mfma:
        name, _, count = item.partition("=")
        expected[name] = int(count)
    objdump = args.readelf.replace("readelf", "objdump")
    if not os.path.exists(objdump):
        objdump = None
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models:
            label = os.path.relpath(model)
            for chip in args.chips.split(","):
                art = os.path.join(tmp, "m.loom")
                run = subprocess.run(
                    [args.loomc, model, "-o", art, "--target=rocm:" + chip,
                     "--quiet"], capture_output=True, text=True)
                if run.returncode != 0:
                    print(f"FAIL {label} {chip}: loomc failed:\n"
                          + run.stderr[-2000:])
                    failures += 1
                    continue
                with open(art, "rb") as f:
                    images = code_objects(f.read())
                if not images:
                    print(f"FAIL {label} {chip}: no AMDGPU code object")
                    failures += 1
                    continue
                all_kernels, mfma = [], 0
                for image in images:
                    if objdump:
                        mfma += len(mfma_kernels(objdump, image, tmp))
                    target, ks = kernels(args.readelf, image, tmp)
                    if not target.startswith("amdgcn-amd-amdhsa--" + chip):
                        print(f"FAIL {label} {chip}: code object for {target}")
                        failures += 1
                    all_kernels += ks
                worst = max(all_kernels, key=lambda k: k["vgpr"] + k["agpr"])
                for k in all_kernels:
                    regs = k["vgpr"] + k["agpr"]
                    if regs > args.budget:
                        print(f"FAIL {label} {chip}: kernel {k['name']} uses "
                              f"{regs} VGPRs (+AGPRs), budget {args.budget}")
                        failures += 1
                    if k["scratch"]:
                        print(f"FAIL {label} {chip}: kernel {k['name']} uses "
                              f"{k['scratch']} bytes of scratch per lane")
                        failures += 1
                key = os.path.basename(os.path.dirname(os.path.abspath(model)))
                if key in expected and objdump and mfma != expected[key]:
                    print(f"FAIL {label} {chip}: {mfma} kernels on MFMA, "
                          f"expected {expected[key]}")
                    failures += 1
                elif key in expected and not objdump:
                    print(f"FAIL {label} {chip}: no llvm-objdump to count "
                          "MFMA kernels")
                    failures += 1
                print(f"{label} {chip}: {len(images)} code objects, "
                      f"{len(all_kernels)} kernels, max VGPR "
                      f"{worst['vgpr']}+{worst['agpr']} AGPR "
                      f"({worst['name']}), max SGPR "
                      f"{max(k['sgpr'] for k in all_kernels)}, max LDS "
                      f"{max(k['lds'] for k in all_kernels)} bytes, "
                      f"{sum(1 for k in all_kernels if k['lds'])} kernels "
                      f"using LDS, "
                      + (f"{mfma} on MFMA" if objdump else "MFMA not counted"))
    print("PASSED" if failures == 0 else f"FAILED ({failures})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
