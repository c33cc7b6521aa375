"""Reading data/: the input contracts, the strict readers, the area geography, periods and fetching.
"""
