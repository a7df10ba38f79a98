"""The throwaway PostgreSQL cluster of the tests lives with the benchmarks (bot/bench/pgcluster.py): both use it."""

from bot.bench.pgcluster import Cluster, bin_dir, cluster, free_port, install, running

__all__ = ["Cluster", "bin_dir", "cluster", "free_port", "install", "running"]
