"""`python -m wms_desk` runs the same entry point as the `wms-desk` script."""

from wms_desk.cli.main import main

raise SystemExit(main())
