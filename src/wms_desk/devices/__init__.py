"""Device drivers: serial transport, scanners, scales and simulators. No Qt here."""
