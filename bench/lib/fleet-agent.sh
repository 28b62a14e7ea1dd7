#!/bin/sh
# The fleet bench's stand-in agent: its start and end (nanoseconds since the epoch) go to stdout,
# which baton keeps in the attempt's evidence; in between it works for $BENCH_AGENT_SECONDS and
# adds a file of its task's own, so tasks neither collide nor conflict.
echo "bench-start $(date +%s%N)"
sleep "$BENCH_AGENT_SECONDS"
mkdir -p src/fleet
echo "task $BATON_RUN_TASK" > "src/fleet/task-$BATON_RUN_TASK.txt"
echo "bench-end $(date +%s%N)"
