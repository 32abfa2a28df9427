#!/usr/bin/env bash
# Runs a VLPrompt speed benchmark and its PyTorch peer (shared/peers/*_torch.py) side by side in
# one run: same threads, OpenBLAS overrides removed from both, the two alternated for several
# rounds (the machine's load drifts), then the median of each side and their ratio.
#
#   tools/bench-vs-peer.sh encode-image|coop|cocoop [rounds]
#
# Environment: BIN (default .build/release/vlprompt), VENV (a Python with torch and open_clip,
# default /work/torch-venv), PEERS (default ../shared/peers), THREADS (2), CLASSES (100),
# BATCH (32 for encode-image and coop, 4 for cocoop), STEPS (3 for coop, 1 for cocoop).
# Prints every JSON line as it comes (prefixed by the round and the 1-minute load average), then
# one summary JSON line: {"benchmark", "swift_median", "peer_median", "speedup" (ratio of the
# medians), "paired_speedup_median" (median of the per-round ratios), ...}.
# encode-image compares `ms_per_image` with the peer's `image_encode_ms_per_image` (the peer runs
# with one class, which leaves its image timing unchanged and skips minutes of text steps);
# coop and cocoop compare `text_step_ms`. For encode-image the summary adds `peak_bound_ms` (the
# image tower's products at this machine's float32 multiply-add peak) and `peak_bound_speedup`,
# the peer's time over that floor: the most any float32 implementation could gain on the peer.
set -euo pipefail

benchmark=${1:?usage: tools/bench-vs-peer.sh encode-image|coop|cocoop [rounds]}
rounds=${2:-3}
BIN=${BIN:-.build/release/vlprompt}
VENV=${VENV:-/work/torch-venv}
PEERS=${PEERS:-../shared/peers}
THREADS=${THREADS:-2}
CLASSES=${CLASSES:-100}

case "$benchmark" in
    encode-image)
        BATCH=${BATCH:-32}
        swift_command=("$BIN" bench encode-image --arch vit-b32 --batch "$BATCH" --threads "$THREADS" --json)
        peer_command=("$VENV/bin/python" "$PEERS/coop_torch.py" --classes 1 --steps 1 --batch "$BATCH"
            --threads "$THREADS")
        swift_key=ms_per_image peer_key=image_encode_ms_per_image ;;
    coop)
        BATCH=${BATCH:-32} STEPS=${STEPS:-3}
        swift_command=("$BIN" bench coop --arch vit-b32 --classes "$CLASSES" --batch "$BATCH" --steps "$STEPS"
            --threads "$THREADS" --json)
        peer_command=("$VENV/bin/python" "$PEERS/coop_torch.py" --classes "$CLASSES" --batch "$BATCH"
            --steps "$STEPS" --threads "$THREADS")
        swift_key=text_step_ms peer_key=text_step_ms ;;
    cocoop)
        BATCH=${BATCH:-4} STEPS=${STEPS:-1}
        swift_command=("$BIN" bench cocoop --arch vit-b32 --classes "$CLASSES" --batch "$BATCH" --steps "$STEPS"
            --threads "$THREADS" --json)
        peer_command=("$VENV/bin/python" "$PEERS/cocoop_torch.py" --classes "$CLASSES" --batch "$BATCH"
            --steps "$STEPS" --threads "$THREADS")
        swift_key=text_step_ms peer_key=text_step_ms ;;
    *)
        echo "unknown benchmark '$benchmark': expected encode-image, coop or cocoop" >&2
        exit 2 ;;
esac
for file in "$BIN" "$VENV/bin/python" "$PEERS/coop_torch.py"; do
    [[ -e "$file" ]] || { echo "missing $file (see the environment variables at the top of $0)" >&2; exit 2; }
done

load() { cut -d' ' -f1 /proc/loadavg; }
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@" | tail -n 1; }

swift_values=() peer_values=() loads=() bounds=()
for round in $(seq 1 "$rounds"); do
    loads+=("$(load)")
    swift_line=$(run "${swift_command[@]}")
    echo "round $round load $(load) swift $swift_line"
    swift_values+=("$(jq -r ".$swift_key" <<<"$swift_line")")
    bounds+=("$(jq -r '.peak_bound_ms_per_image // "null"' <<<"$swift_line")")
    peer_line=$(run "${peer_command[@]}")
    echo "round $round load $(load) peer $peer_line"
    peer_values+=("$(jq -r ".$peer_key" <<<"$peer_line")")
done

jq -cn --arg benchmark "$benchmark" --arg swift_key "$swift_key" --arg peer_key "$peer_key" \
    --argjson threads "$THREADS" \
    --argjson swift "[$(IFS=,; echo "${swift_values[*]}")]" \
    --argjson peer "[$(IFS=,; echo "${peer_values[*]}")]" \
    --argjson loads "[$(IFS=,; echo "${loads[*]}")]" \
    --argjson bounds "[$(IFS=,; echo "${bounds[*]}")]" '
    def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def two: . * 100 | round / 100;
    ($swift | median) as $s | ($peer | median) as $p |
    ([range(0; $swift | length) as $i | $peer[$i] / $swift[$i]] | median) as $paired |
    {benchmark: $benchmark, threads: $threads, swift_key: $swift_key, peer_key: $peer_key,
     swift: $swift, peer: $peer, load_averages: $loads, swift_median: $s, peer_median: $p,
     speedup: ($p / $s | two), paired_speedup_median: ($paired | two)}
    + (if ($bounds | map(select(. != null)) | length) > 0
       then ($bounds | map(select(. != null)) | median) as $b
            | {peak_bound_ms: $b, peak_bound_speedup: ($p / $b | two)} else {} end)'
