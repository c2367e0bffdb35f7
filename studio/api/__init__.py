"""The publishing API (FastAPI): automation engines pull approved copy, run checks and report
results with API keys. A surface: it parses requests, calls one service and serialises."""
