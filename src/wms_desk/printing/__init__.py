"""Documents to bytes (reportlab PDF, ZPL II text) and bytes to printers (transports)."""
