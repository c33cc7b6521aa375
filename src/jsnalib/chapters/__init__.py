"""One package per topic page: load -> analyse -> text -> figures, built on indicators, methods and report.
"""
