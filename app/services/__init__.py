"""Domain logic, one module per domain. No FastAPI imports here.

Each function takes the session and (keyword-only) the acting user and `now`, checks
what that user may do, does the work and only flushes: the request commits.
"""
