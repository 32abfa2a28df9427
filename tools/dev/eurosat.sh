#!/usr/bin/env bash
# Development run on a real CoOp-layout dataset (EuroSAT, not used by tests): zero-shot, CoOp and the adapters
# (16 shots) on the embedded world-clip model, seed 1, official recipes. The world model never
# saw satellite images, so zero-shot is near chance; the point is that the whole path (CoOp
# split file, renames, JPEG decoding, training, evaluation on 8,100 test images) runs on real
# data and that a learned prompt moves accuracy well above zero-shot.
# Usage: tools/dev/eurosat.sh [DATA_ROOT] (default ../shared/data, which holds eurosat/).
set -euo pipefail

ROOT="${1:-../shared/data}"
BIN="${BIN:-.build/release/vlprompt}"
OUT="${OUT:-runs/dev-eurosat}"
mkdir -p "$OUT"

for method in zeroshot coop clip-adapter tip-adapter tip-adapter-f; do
    echo "== $method" >&2
    "$BIN" train --method "$method" --dataset eurosat --root "$ROOT" --shots 16 --seed 1 \
        --out "$OUT/$method" --json | tee "$OUT/$method.json"
done
"$BIN" report "$OUT/zeroshot" "$OUT/coop" "$OUT/clip-adapter" "$OUT/tip-adapter" "$OUT/tip-adapter-f"
