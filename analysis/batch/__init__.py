"""Monte Carlo batches: many replicates of a scenario (and of its variants) on a local process
pool or a Dask cluster, stored in DuckDB as they finish, resumable, reproducible for any number
of workers."""
