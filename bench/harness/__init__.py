"""The modules of bench/bench.py, one per concern (see bench/README.md, "Files").

Python 3 standard library only. Imported by bench/bench.py, whose directory is first on
sys.path when it runs, so they are imported as `harness.NAME`.
"""
