#!/usr/bin/env bash
# Issue 7's comparison on the embedded world: base-to-novel on world:shapes (18 base / 18 novel
# classes), 16 shots, seeds 1-3, every prompt method and adapter with its official recipe and
# default options, except that world images (32 pixels) are trained without Dassl's random
# resized crop (`--augmentation none`, as `vlprompt demo` does; see its help; Tip-Adapter's cache
# keeps its own augmentation, which is part of the method). CoOp uses its
# base-to-novel setting ("a photo of a" context, M = 4). Then one `vlprompt report` table.
# Usage: tools/dev/world-table.sh   (BIN, OUT and SEEDS may be overridden)
set -euo pipefail

BIN="${BIN:-.build/release/vlprompt}"
OUT="${OUT:-runs/world-table}"
SEEDS="${SEEDS:-1 2 3}"
mkdir -p "$OUT"
printf '{"initialWords": "a photo of a"}\n' >"$OUT/coop-b2n.json"

run() {
    local method=$1 seed=$2; shift 2
    local dir="$OUT/$method/seed_$seed"
    mkdir -p "$OUT/$method"
    if [ -f "$dir/metrics.json" ]; then return; fi
    echo "== $method seed $seed" >&2
    "$BIN" train --method "$method" --dataset world:shapes --subsample base --shots 16 --seed "$seed" \
        --augmentation none --out "$dir" --json "$@" >"$dir.json"
}

for seed in $SEEDS; do
    run zeroshot "$seed"
    run coop "$seed" --options "$OUT/coop-b2n.json"
    run cocoop "$seed"
    run kgcoop "$seed"
    run prograd "$seed"
    run plot "$seed"
    run tcp "$seed"
    run proda "$seed"
    run clip-adapter "$seed"
    run tip-adapter "$seed"
    run tip-adapter-f "$seed"
    run visual-prompting "$seed"
    run vpt-shallow "$seed"
    run vpt-deep "$seed"
done

runs=()
for method in zeroshot coop cocoop kgcoop prograd plot tcp proda clip-adapter tip-adapter tip-adapter-f \
    visual-prompting vpt-shallow vpt-deep; do
    for seed in $SEEDS; do runs+=("$OUT/$method/seed_$seed"); done
done
"$BIN" report "${runs[@]}" --markdown "$OUT/table.md" --csv "$OUT/table.csv"
cat "$OUT/table.md"
