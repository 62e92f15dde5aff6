"""One item of N speech turns and N transcripts over them (jittered, 10% with another of
the SPEAKERS speakers), as JSON Lines: the input of bench/temporal/run.sh."""
import json, random, sys

n, speakers = int(sys.argv[1]), int(sys.argv[2])
random.seed(n)
t = 0.0
out = sys.stdout
for i in range(n):
    speaker = f"spk{random.randrange(speakers)}"
    start, end = t, t + random.uniform(0.5, 3.0)
    t = end + random.uniform(0.0, 0.5)
    out.write(json.dumps({"item": "one", "kind": "speech", "id": f"s{i}",
                          "start": round(start, 3), "end": round(end, 3), "speaker": speaker}) + "\n")
    other = speaker if random.random() < 0.9 else f"spk{random.randrange(speakers)}"
    out.write(json.dumps({"item": "one", "kind": "transcript", "id": f"t{i}",
                          "start": round(max(start + random.uniform(-0.1, 0.1), 0), 3),
                          "end": round(end + random.uniform(-0.1, 0.1), 3), "speaker": other}) + "\n")
