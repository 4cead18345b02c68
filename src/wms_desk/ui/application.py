"""The Qt application object, its look, and the hook that shows unexpected errors.

The composition (database, devices, print worker, the station window) is app.gui's work.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

ORGANISATION = "wms-desk"


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(ORGANISATION)
    from wms_desk.ui.theme import apply_theme

    apply_theme(app)
    return app


def install_error_hook(log_path: object) -> None:
    """An unexpected error is logged and shown; it never takes the station down."""
    import logging
    import traceback

    from PySide6.QtWidgets import QMessageBox

    def hook(kind: type[BaseException], error: BaseException, tb: object) -> None:
        logging.getLogger("wms_desk").error(
            "unexpected error",
            exc_info=(kind, error, tb),  # type: ignore[arg-type]
        )
        where = f" The details are in {log_path}." if log_path else ""
        QMessageBox.critical(
            None,
            "Something went wrong",
            f"{kind.__name__}: {error}\n\nYour committed work is safe.{where} "
            "Carry on, and tell a supervisor if it happens again.",
        )
        traceback.print_exception(error)

    sys.excepthook = hook
