"""Returns and the service desk: RMAs, receiving, inspection and disposition, resolution."""
