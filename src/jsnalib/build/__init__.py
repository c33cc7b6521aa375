"""Turning templates into the book: the run pipeline, the command line, the book build and its
Sphinx extension.
"""
