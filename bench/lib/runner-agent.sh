#!/bin/sh
# The runner bench's stand-in agent (see runner-runs.mjs): its timestamps go to stdout, which
# baton keeps in the attempt's evidence; the prompt says which attempt this is.
echo "bench-start $(date +%s%N)"
attempt=$(sed -n 's/.*This is attempt \([0-9]*\) of.*/\1/p' "$BATON_PROMPT_FILE")
echo "attempt $attempt: read the prompt ($(wc -c < "$BATON_PROMPT_FILE") bytes)"
sleep "$BENCH_AGENT_SECONDS"
for file in $BENCH_EDITED_FILES; do
  printf '// edited by attempt %s\n' "$attempt" >> "$file"
done
if [ "$attempt" -ge "$BENCH_PASS_FROM" ]; then
  mkdir -p "$(dirname "$BENCH_OUTPUT_FILE")"
  printf 'export const output = %s;\n' "$attempt" > "$BENCH_OUTPUT_FILE"
fi
echo "bench-end $(date +%s%N)"
