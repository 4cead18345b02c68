"""Qt item models over service results (ids plus a row cache, paged in SQL)."""
