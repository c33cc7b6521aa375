"""House style and presentation: charts, tables, number formatting and page elements.

Knows nothing about any topic; the chapters compose these pieces.
"""
