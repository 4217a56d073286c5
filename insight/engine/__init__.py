"""How the data-sized stages execute: a text-hash cache that survives re-runs
(:mod:`insight.engine.cache`) and an optional Apache Spark engine
(:mod:`insight.engine.spark`, needs ``pip install -e '.[spark]'`` and Java).

Nothing heavy is imported here.
"""
