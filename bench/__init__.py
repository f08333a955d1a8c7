"""The benchmark harness of `make bench`: seed, serve with gunicorn, load with wrk, compare with a bare Flask app."""
