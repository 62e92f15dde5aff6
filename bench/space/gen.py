"""Boxes drawn by several annotators over many images, with planted faults: a copy of each
reference box per annotator, moved a little (most), a lot (some: unmatched), relabelled,
dropped, added, and drawn twice by one annotator (duplicates).

    python3 gen.py IMAGES [--annotators 3] [--boxes 7] [--seed 1] > boxes.jsonl

Writes JSON Lines `obj` records (`item` the image, `box` `[x, y, w, h]` in pixels, `label`,
`annotator`), each image's records together. About IMAGES × annotators × boxes records.
"""
import argparse
import json
import random
import sys

LABELS = ["car", "person", "bicycle", "dog", "traffic light"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("images", type=int)
    parser.add_argument("--annotators", type=int, default=3)
    parser.add_argument("--boxes", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    annotators = [f"ann{i}" for i in range(args.annotators)]
    for image in range(args.images):
        item = f"img{image:07d}"
        truth = []
        for _ in range(rng.randint(max(1, args.boxes - 4), args.boxes + 4)):
            w, h = rng.uniform(8, 200), rng.uniform(8, 200)
            truth.append((rng.uniform(0, 1920 - w), rng.uniform(0, 1080 - h), w, h, rng.choice(LABELS)))
        n = 0
        for who in annotators:
            for x, y, w, h, label in truth:
                fate = rng.random()
                if fate < 0.04:
                    continue  # dropped
                if fate < 0.10:
                    x, y = x + rng.uniform(-0.6, 0.6) * w, y + rng.uniform(-0.6, 0.6) * h  # moved a lot
                else:
                    x, y = x + rng.uniform(-0.05, 0.05) * w, y + rng.uniform(-0.05, 0.05) * h
                if rng.random() < 0.03:
                    label = rng.choice(LABELS)
                copies = 2 if rng.random() < 0.02 else 1
                for _ in range(copies):
                    box = [round(x, 2), round(y, 2), round(w, 2), round(h, 2)]
                    out.write(json.dumps({"item": item, "kind": "obj", "id": f"o{n}", "box": box,
                                          "label": label, "annotator": who}) + "\n")
                    n += 1
            if rng.random() < 0.05:
                w, h = rng.uniform(8, 100), rng.uniform(8, 100)
                box = [round(rng.uniform(0, 1800), 2), round(rng.uniform(0, 1000), 2), round(w, 2), round(h, 2)]
                out.write(json.dumps({"item": item, "kind": "obj", "id": f"o{n}", "box": box,
                                      "label": rng.choice(LABELS), "annotator": who}) + "\n")
                n += 1


if __name__ == "__main__":
    main()
