"""Pure math on arrays and frozen values: windows, budgets, burn rates, alerts.

No I/O, no clock, no environment: ``at`` is always an argument (enforced by import-linter).
"""
