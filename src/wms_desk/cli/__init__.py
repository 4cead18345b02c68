"""The `wms-desk` command line: no subcommand opens the GUI; subcommands serve scripts and IT."""
