"""The command line: ``python -m cs_warehouse.generate --accounts N --seed S --out DIR``."""
from __future__ import annotations

import argparse

from cs_warehouse.generate.profiles import CHURN_DRIVERS, PROFILES
from cs_warehouse.generate.simulation import Config
from cs_warehouse.generate.writers import generate


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m cs_warehouse.generate",
                                description="Generate a synthetic raw dataset for the CS warehouse.")
    p.add_argument("--accounts", type=int, default=300, help="number of accounts (default 300)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--start", default="2023-11-01", help="first day of history (default 2023-11-01)")
    p.add_argument("--as-of", dest="as_of", default="2026-11-15",
                   help="export day = last usage_date (default 2026-11-15)")
    p.add_argument("--format", dest="fmt", choices=["csv", "parquet"], default="csv",
                   help="format of every file except usage (default csv)")
    p.add_argument("--usage-format", choices=["parquet", "csv"], default="parquet",
                   help="format of the usage file (default parquet)")
    p.add_argument("--progress", action="store_true", help="progress on stderr (default on from 5000 accounts)")
    p.add_argument("--initial-share", type=float, default=0.2,
                   help="share of accounts already customers in the first month (default 0.2; "
                        "benchmarks use a mature base, e.g. 0.9)")
    p.add_argument("--profile", choices=sorted(PROFILES), default="default",
                   help="planted effects (default: default; the bundled demo uses healthy, a believable "
                        "mid-size SaaS with a few problems to find)")
    p.add_argument("--churn-driver", choices=sorted(CHURN_DRIVERS), default=None,
                   help="plant one health component as what predicts churn: usage realises the latent "
                        "band through it alone and draws the other components at random (default: "
                        "every component follows the band)")
    p.add_argument("--write-latent", action="store_true",
                   help="also write truth_account_months.csv (latent band, stage, condition per customer-month)")
    args = p.parse_args(argv)
    cfg = Config(accounts=args.accounts, seed=args.seed, start=args.start, as_of=args.as_of,
                 progress=args.progress or args.accounts >= 5000, initial_share=args.initial_share,
                 profile=args.profile, churn_driver=args.churn_driver)
    generate(cfg, args.out, fmt=args.fmt, usage_format=args.usage_format, write_latent=args.write_latent)
    return 0
