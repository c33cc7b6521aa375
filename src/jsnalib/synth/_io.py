"""Byte-for-byte reproducible CSV writing and the generator's random streams."""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.inputs.contracts import SYNTHETIC_GZIP_LEVEL


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random generator for one part of the world (births, referrals, ...).

    Each part gets its own stream from ``(seed, crc32(name))``, so changing how one file is
    generated does not change the others.
    """
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("ascii"))])


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split a whole number into whole parts proportional to ``weights`` (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    exact = total * weights / weights.sum()
    parts = np.floor(exact).astype(np.int64)
    short = int(total - parts.sum())
    if short:
        parts[np.argsort(-(exact - parts), kind="stable")[:short]] += 1
    return parts


def fixed(values: pd.Series | np.ndarray, decimals: int) -> np.ndarray:
    """Floats as fixed-point text (``"%.{decimals}f"``), blank where missing."""
    values = np.asarray(values, dtype=float)
    text = np.char.mod(f"%.{decimals}f", values).astype(object)
    text[np.isnan(values)] = ""
    return text


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with ``\\n`` line ends; gzip when ``path`` ends in .gz.

    Floats must already be text (see :func:`fixed`) so the bytes do not depend on the float
    printing of the platform. A .gz file has a fixed header (modification time 0, the name of
    the CSV inside), so the same frame always gives the same bytes.
    """
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            raise ValueError(f"column {column} is float: format it with fixed() first")
    text = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    path = Path(path)
    if path.suffix == ".gz":
        buffer = io.BytesIO()
        with gzip.GzipFile(filename=path.name[:-3], mode="wb", fileobj=buffer, mtime=0,
                           compresslevel=SYNTHETIC_GZIP_LEVEL) as archive:
            archive.write(text)
        text = buffer.getvalue()
    path.write_bytes(text)
    return path
