"""jsnalib: the library behind the JSNA book (statistics, data contracts, models, plots, pipeline)."""

__version__ = "0.1.0"
