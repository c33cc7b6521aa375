"""``python -m jsnalib.synth [OUT_DIR] [--seed N]``: write the synthetic default data."""

from __future__ import annotations

import argparse
import sys

from jsnalib.synth import DEFAULT_SEED, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jsnalib.synth",
                                     description="Write the synthetic default data files.")
    parser.add_argument("out_dir", nargs="?", default="data",
                        help="folder to write to (default: data)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    try:
        paths = generate(args.out_dir, seed=args.seed)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
