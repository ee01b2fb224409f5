#!/usr/bin/env python3
"""Expands the original GLUE recipes (Tests/References/original/experiments/glue/*.sh, copied from
github.com/microsoft/DeBERTa @ 4d7fe0b) into the command lines they run, one per model name of
their `case` statements, for the test that parses every one of them with `deberta train`
(Tests/TrainingTests/OriginalRecipeTests.swift).

    python3 Scripts/expand_glue_recipes.py

Bash itself runs each script with its model name, so the variables and the `$parameters` string
split exactly as they do for the original; three lines are changed in the copy that runs: the
`python -m DeBERTa.apps.run` that starts the original app becomes a function printing its arguments
(NUL-separated), and the data download (`./download_data.sh`) and `mkdir` become no-ops. The model
names are those the scripts give (base, deberta-v3-large, base-mnli, …), unresolved.

Writes Tests/References/original/glue_recipes.jsonl: {"script", "model", "arguments"} per line, with
"arguments" the argv of `deberta train` (the program name `python -m DeBERTa.apps.run` replaced).
"""
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GLUE = os.path.join(ROOT, "Tests", "References", "original", "experiments", "glue")
OUT = os.path.join(ROOT, "Tests", "References", "original", "glue_recipes.jsonl")


def main():
    records = []
    for script in sorted(f for f in os.listdir(GLUE) if f.endswith(".sh")):
        text = open(os.path.join(GLUE, script), encoding="utf-8").read()
        runnable = (text.replace("python -m DeBERTa.apps.run", "emit")
                    .replace("./download_data.sh $cache_dir/glue_tasks", ":")
                    .replace("mkdir -p $cache_dir", ":"))
        assert runnable.count("emit") == 1 and runnable != text
        runnable = runnable.replace("#!/bin/bash\n", "#!/bin/bash\nemit() { printf '%s\\0' \"$@\"; }\n", 1)
        # The model names: the labels of the `case ${init,,} in` block, except the usage fallback.
        block = text[text.index("case ${init,,} in"):text.index("esac")]
        models = [m for m in re.findall(r"^\t([A-Za-z0-9_.-]+)\)", block, re.M)]
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, script)
            with open(copy, "w", encoding="utf-8") as f:
                f.write(runnable)
            for model in models:
                out = subprocess.run(["bash", copy, model], check=True, capture_output=True).stdout.decode()
                arguments = out.split("\0")[:-1]
                assert arguments[0] == "--model_config", (script, model, arguments[:3])
                records.append({"script": script, "model": model, "arguments": ["train"] + arguments})
    with open(OUT, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    print(f"{len(records)} command lines from {len(set(r['script'] for r in records))} scripts -> {OUT}")


if __name__ == "__main__":
    main()
