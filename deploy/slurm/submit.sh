#!/bin/bash
# Submits a sharded VoiceQA audit to Slurm: an N-task job array (audit-shard.sbatch) and a merge job
# that runs once every task has succeeded (audit-merge.sbatch). Prints the two job ids.
#
#   deploy/slurm/submit.sh N INPUT RESULTS [voiceqa audit run options...]
#     N        number of shards (array tasks); see docs/scale.md for sizing
#     INPUT    a folder of recordings or a manifest CSV, on storage every node reads
#     RESULTS  a shared folder for the shard databases and the merged audit.sqlite
#
# SUBMIT_WAIT=1 waits for the merge to finish (sbatch --wait) and returns its exit code.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 N INPUT RESULTS [audit run options...]" >&2; exit 64; }
N=$1; INPUT=$(realpath "$2"); RESULTS=$3; shift 3
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "$0: N must be a positive integer, not '$N'" >&2; exit 64; }
mkdir -p "$RESULTS"; RESULTS=$(realpath "$RESULTS")
HERE=$(cd "$(dirname "$0")" && pwd)
export VOICEQA=${VOICEQA:-$(command -v voiceqa || echo voiceqa)}
export VOICEQA_INPUT=$INPUT VOICEQA_RESULTS=$RESULTS VOICEQA_SHARDS=$N VOICEQA_OPTIONS="$*"
array=$(sbatch --parsable --array=0-$((N - 1)) --chdir="$RESULTS" --export=ALL "$HERE/audit-shard.sbatch")
array=${array%%;*}
wait_flag=()
[ "${SUBMIT_WAIT:-0}" = 1 ] && wait_flag=(--wait)
echo "array job $array: $N shards of $INPUT"
merge=$(sbatch --parsable "${wait_flag[@]}" --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
        --chdir="$RESULTS" --export=ALL "$HERE/audit-merge.sbatch")
echo "merge job ${merge%%;*}: $RESULTS/audit.sqlite"
