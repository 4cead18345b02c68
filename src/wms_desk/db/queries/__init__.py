"""SQL for screens: paged, filtered and sorted in the database, returning plain rows."""
