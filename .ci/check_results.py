#!/usr/bin/env python3
"""Issue 12: every result CSV loads in pandas and polars with default
arguments, each column with one type; every JSON result (records) loads with
pd.read_json and pl.read_json. Usage: check_results.py FOLDER...

Metadata files (manifest.json, experiment.json, merged.json, shard.json)
are one JSON object each, not tables, and are skipped."""
import pathlib
import sys

import pandas as pd
import polars as pl

METADATA = {"manifest.json", "experiment.json", "merged.json", "shard.json"}


def numeric_pd(dtype):
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def numeric_pl(dtype):
    return dtype.is_numeric() or dtype == pl.Boolean


def check_frame(path, pdf, plf, problems):
    if len(pdf) == 0 and path.name != "failures.csv":
        problems.append(f"{path}: no rows")
    if list(pdf.columns) != list(plf.columns):
        problems.append(f"{path}: pandas and polars see different columns")
        return
    for c in pdf.columns:
        a, b = numeric_pd(pdf[c].dtype), numeric_pl(plf[c].dtype)
        # A column both libraries see as text is text; one that one library
        # reads as numbers and the other as text holds mixed values.
        if a != b and not (plf[c].null_count() == len(plf)):
            problems.append(f"{path}: column {c!r} is {pdf[c].dtype} in pandas, {plf[c].dtype} in polars")
        if str(pdf[c].dtype) == "object" and c.endswith("_mcny"):
            problems.append(f"{path}: money column {c!r} is not numeric")


def main(folders):
    problems, seen = [], 0
    for folder in folders:
        for path in sorted(pathlib.Path(folder).rglob("*")):
            if path.suffix == ".csv":
                seen += 1
                try:
                    check_frame(path, pd.read_csv(path), pl.read_csv(path), problems)
                except Exception as e:  # noqa: BLE001 - report every failure
                    problems.append(f"{path}: {type(e).__name__}: {e}")
            elif path.suffix == ".json" and path.name not in METADATA:
                seen += 1
                try:
                    check_frame(path, pd.read_json(path), pl.read_json(path), problems)
                except Exception as e:  # noqa: BLE001
                    problems.append(f"{path}: {type(e).__name__}: {e}")
    for p in problems:
        print("FAIL", p)
    print(f"{seen} result files checked in {len(folders)} folders, {len(problems)} problems")
    if seen == 0 or problems:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
