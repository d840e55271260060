"""Render a time_to_quality JSON-lines file as the markdown table of the closing notes:
``python benchmarks/results/render.py benchmarks/results/ttq-round2.jsonl``. A cell is
images seen · confident share · class-share range (%) · FID in the classifier's feature space."""

import collections
import json
import sys


def table(path):
    rows = [json.loads(line) for line in open(path)]
    by = collections.defaultdict(dict)
    for r in rows:
        by[r["candidate"]][r["minutes"]] = r
    marks = sorted({r["minutes"] for r in rows})
    out = ["| candidate | " + " | ".join(f"{m:g} min" for m in marks) + " |",
           "| --- |" + " --- |" * len(marks)]
    for name, cells in by.items():
        out.append(f"| `{name}` | " + " | ".join(
            f"{c['images'] / 1000:,.0f}k · {c['confident']:.3f} · {100 * c['class_min']:.1f}–"
            f"{100 * c['class_max']:.1f} · {c['fid']:.2f}" if (c := cells.get(m)) else "—"
            for m in marks) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(f"{p}\n\n{table(p)}\n")
