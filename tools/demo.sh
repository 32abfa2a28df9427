#!/usr/bin/env bash
# The embedded-default demo: on the shipped world-clip model and the procedural world:shapes
# dataset (no downloads), base-to-novel generalization with 16 shots per base class for
# zero-shot CLIP, CoOp, CoCoOp and KgCoOp, then the table in the CoCoOp paper's layout.
# Epochs are shortened from the official presets so the whole demo takes about two minutes.
set -euo pipefail

BIN="${BIN:-.build/release/vlprompt}"
OUT="${OUT:-runs/demo}"
rm -rf "$OUT"
mkdir -p "$OUT"

run() {
    local method=$1; shift
    echo "== $method" >&2
    "$BIN" train --method "$method" --dataset world:shapes --subsample base --shots 16 --seed 1 \
        --out "$OUT/$method" "$@" >"$OUT/$method.json"
}

run zeroshot
run coop --epochs 50
run cocoop --epochs 5
run kgcoop --epochs 50

"$BIN" report "$OUT/zeroshot" "$OUT/coop" "$OUT/cocoop" "$OUT/kgcoop" \
    --markdown "$OUT/table.md" --csv "$OUT/table.csv"
cat "$OUT/table.md"
echo
echo "Chance: 5.56% (18 base and 18 novel classes). Runs, prompts and tables: $OUT/"
